-- The planner's statistics for the records' new marking column: without them it guesses that an
-- equality on "tlp" keeps 0.5 % of the rows, plans a page of actors as if it held 5 of 1,001, and runs
-- the nested page of Q2 (the benchmark) in ~350 ms instead of ~5 ms. A column added by a migration has
-- no statistics until the next ANALYZE, which autovacuum would not start for an unchanged table.
ANALYZE "Actor", "Campaign", "Tool", "Victim", "Organization";
