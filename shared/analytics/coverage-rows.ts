/** coverage.csv's layout, shared by the nightly files and the report API (which filters rows of it). */
import type { CoverageValue, Figure } from './coverage.ts';

/** A figure as published: exact, or with withheld counts shown as "<11" or "*" (and their coverage null). */
export type ShownFigure = Omit<Figure, 'people_first_dose' | 'people_completed' | 'coverage'> & {
  people_first_dose: number | string;
  people_completed: number | string;
  coverage:
    | (Omit<CoverageValue, 'first' | 'complete' | 'first_change' | 'complete_change'> & {
        first: number | null;
        complete: number | null;
        first_change: number | null;
        complete_change: number | null;
      })
    | string;
};

export const COVERAGE_COLUMNS = [
  'scope',
  'key',
  'population',
  'people_first_dose',
  'people_completed',
  'coverage_first',
  'coverage_complete',
  'change_first_dose',
  'change_completed',
  'change_coverage_first',
  'change_coverage_complete',
  'flagged',
];

/** A coverage figure as a row of coverage.csv. */
export const coverageRow = (f: ShownFigure) => ({
  scope: f.scope,
  key: f.key,
  people_first_dose: f.people_first_dose,
  people_completed: f.people_completed,
  change_first_dose: f.change_first_dose,
  change_completed: f.change_completed,
  ...(typeof f.coverage === 'string'
    ? { coverage_first: f.coverage, coverage_complete: f.coverage }
    : {
        population: f.coverage.population,
        coverage_first: f.coverage.first,
        coverage_complete: f.coverage.complete,
        change_coverage_first: f.coverage.first_change,
        change_coverage_complete: f.coverage.complete_change,
      }),
  flagged: f.flagged ?? false,
});
