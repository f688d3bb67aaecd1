// A titled, scrolling table panel shared by the actions, orders and fills tables: the
// heading with its count, the column headers, the rows given, and a note when there are none.

import type { ReactNode } from "react";

export interface Column {
  label: string;
  /** Right-aligned numbers. */
  num?: boolean;
  title?: string;
}

interface Props {
  title: string;
  /** Next to the title (a count). */
  badge: ReactNode;
  columns: Column[];
  /** Shown when `rows` is empty. */
  empty: string;
  rows: ReactNode[];
}

export function TablePanel({ title, badge, columns, empty, rows }: Props) {
  return (
    <section className="panel table-panel">
      <h2>
        {title} {badge}
      </h2>
      <div className="scroll">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.label} className={c.num ? "num" : undefined} title={c.title}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{rows}</tbody>
        </table>
        {rows.length === 0 && <p className="empty">{empty}</p>}
      </div>
    </section>
  );
}
