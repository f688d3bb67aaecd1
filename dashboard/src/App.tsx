// The ActorTradingView: header on top; ladder and market picker left; charts in the middle;
// positions, stats and risk events right; actions, orders and fills along the bottom.

import { useEffect, useMemo } from "react";
import { fetchStatus } from "./api";
import { ActionsTable } from "./components/ActionsTable";
import { FillsTable } from "./components/FillsTable";
import { Header } from "./components/Header";
import { Ladder } from "./components/Ladder";
import { MarketPicker } from "./components/MarketPicker";
import { OrdersTable } from "./components/OrdersTable";
import { PnlChart } from "./components/PnlChart";
import { Positions } from "./components/Positions";
import { PriceChart } from "./components/PriceChart";
import { RiskEvents } from "./components/RiskEvents";
import { StatsPanel } from "./components/StatsPanel";
import { liveOrdersIn, selectedMarket } from "./state";
import { useFeed, type FeedOptions } from "./useFeed";

interface Props {
  feed?: FeedOptions;
  /** Injectable for tests; defaults to the global fetch. */
  fetchFn?: typeof fetch;
}

export function App({ feed: feedOptions, fetchFn }: Props) {
  const feed = useFeed(feedOptions);
  const { state, status, applyControl, selectMarket } = feed;
  const market = selectedMarket(state);
  const liveHere = useMemo(() => (market === null ? [] : liveOrdersIn(state, market)), [state, market]);
  const liveCount = Object.keys(state.liveOrders).length;

  // The trading state before the first stats frame: ask once per socket opening.
  useEffect(() => {
    if (status !== "open") return;
    let live = true;
    fetchStatus(fetchFn)
      .then((a) => live && applyControl(a))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [status, fetchFn, applyControl]);

  return (
    <div className="app">
      <Header state={state} wsStatus={status} onControl={applyControl} fetchFn={fetchFn} />
      <main className="grid">
        <div className="col left">
          <MarketPicker
            markets={state.connection?.markets ?? []}
            chosen={state.userMarket}
            shown={market}
            onChoose={selectMarket}
          />
          <Ladder market={market} book={market === null ? undefined : state.books[market]} orders={liveHere} />
        </div>
        <div className="col middle">
          <PnlChart points={state.pnlSeries} base={state.pnlBase} />
          <PriceChart market={market} points={market === null ? [] : state.priceSeries[market] ?? []} fills={state.fills} />
        </div>
        <div className="col right">
          <Positions positions={state.positions} pnl={state.pnl} firstPnl={state.pnlBase} />
          <StatsPanel stats={state.stats} />
          <RiskEvents events={state.riskEvents} />
        </div>
        <div className="bottom">
          <ActionsTable actions={state.actions} />
          <OrdersTable events={state.orderEvents} liveCount={liveCount} />
          <FillsTable fills={state.fills} />
        </div>
      </main>
    </div>
  );
}
