// Tests of the stats panel: counters, latencies (null as "—"), risk state and rejections.

import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { statsData } from "../test/frames";
import { StatsPanel } from "./StatsPanel";

describe("StatsPanel", () => {
  it("shows rates, counters, latencies and rejections", () => {
    render(<StatsPanel stats={statsData()} />);
    const panel = screen.getByTestId("stats-panel");
    expect(panel).toHaveTextContent("frames/s812");
    expect(panel).toHaveTextContent("acks/s790.5");
    expect(screen.getByTestId("decision-p50")).toHaveTextContent("51.2 µs");
    expect(screen.getByTestId("order-rtt-p99")).toHaveTextContent("2.40 ms");
    expect(screen.getByTestId("inference-p99")).toHaveTextContent("3.1 µs");
    expect(screen.getByTestId("risk-state")).toHaveTextContent("ok");
    expect(screen.getByTestId("rejections")).toHaveTextContent("max_position 44");
    expect(panel).toHaveTextContent("dashboard sessions1");
  });

  it("shows latencies without samples as a dash, and a halt", () => {
    render(
      <StatsPanel
        stats={statsData({
          decision_p50_us: null, decision_p99_us: null, wire_p50_us: null, wire_p99_us: null,
          order_rtt_p50_us: null, order_rtt_p99_us: null, inference_p50_us: null, inference_p99_us: null,
          risk: { halted: true, reason: "dashboard", rejections: {} },
        })}
      />,
    );
    for (const id of ["decision", "wire", "order-rtt", "inference"]) {
      expect(screen.getByTestId(`${id}-p50`)).toHaveTextContent(/^—$/);
      expect(screen.getByTestId(`${id}-p99`)).toHaveTextContent(/^—$/);
    }
    expect(screen.getByTestId("risk-state")).toHaveTextContent("halted (dashboard)");
    expect(screen.getByTestId("rejections")).toHaveTextContent("none");
  });

  it("waits for the first stats frame", () => {
    render(<StatsPanel stats={null} />);
    expect(screen.getByTestId("stats-panel")).toHaveTextContent("no stats yet");
  });
});
