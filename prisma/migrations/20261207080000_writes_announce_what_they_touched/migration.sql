-- The write layer (src/write/transaction.ts) announces its own commits with the entities it touched
-- (one NOTIFY whose payload names them), so that caches drop only the answers holding them. It marks its
-- transaction with the setting threat_actor.writer_announces; the statement triggers stay silent in such
-- a transaction. A change made any other way (SQL by hand, a tool bypassing the write layer) still sends
-- the empty NOTIFY, which means "anything may have changed".
CREATE OR REPLACE FUNCTION "graph_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('threat_actor.writer_announces', true) = 'on' THEN
    RETURN NULL;
  END IF;
  -- Two tests, not one OR: a TRUNCATE trigger has no transition table to plan the second against.
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('threat_actor_graph_changed', '');
  ELSIF EXISTS (SELECT 1 FROM changed_rows) THEN
    PERFORM pg_notify('threat_actor_graph_changed', '');
  END IF;
  RETURN NULL;
END $$;
