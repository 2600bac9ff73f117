import type { ReactNode } from "react";

export interface Column<Row> {
  /** The header; also the label of the value when the table is shown as cards on a phone. */
  header: string;
  cell: (row: Row) => ReactNode;
  className?: string;
  /** Shown at the top of a card, without a label (the row's name). */
  primary?: boolean;
}

/**
 * A table that becomes one card per row below 700 px (CSS only, so it renders on the server):
 * each cell carries its column's name for the card's label.
 */
export function DataTable<Row>({
  label,
  columns,
  rows,
  rowKey,
  rowProps,
  empty,
}: {
  label: string;
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  rowProps?: (row: Row) => { id?: string; className?: string };
  empty: ReactNode;
}) {
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  return (
    <table aria-label={label} className="data-table">
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header} scope="col">
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {columns.map((c) => (
              <td key={c.header} data-label={c.header} className={[c.className, c.primary ? "primary-cell" : null].filter(Boolean).join(" ") || undefined}>
                {c.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
