// The market selector: "auto" follows the policy's latest action; any market pins the view.

interface Props {
  markets: string[];
  chosen: string | null;
  shown: string | null;
  onChoose: (market: string | null) => void;
}

export function MarketPicker({ markets, chosen, shown, onChoose }: Props) {
  return (
    <label className="picker">
      <span className="muted">market</span>
      <select
        data-testid="market-picker"
        value={chosen ?? ""}
        onChange={(e) => onChoose(e.target.value === "" ? null : e.target.value)}
      >
        <option value="">auto{chosen === null && shown !== null ? ` (${shown})` : ""}</option>
        {markets.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
    </label>
  );
}
