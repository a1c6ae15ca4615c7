// The seating chart's pieces, imported by the seating and print pages from here.
export { chartView, collator, loadChart, tableLabel, type ChartView, type TableView } from './chart-data';
export { AutoAssign } from './auto-assign';
export { DragGhost } from './drag';
export { seatsText, TableCards, UnseatedList, type PartyActions } from './lists';
export { moveParty, refusalText } from './moves';
export { PartyPanel } from './party-panel';
export { PlanView } from './plan-view';
