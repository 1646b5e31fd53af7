-- Each API instance remembers the keys it has checked (src/auth/keys.ts), so that a request with a key
-- costs no SQL statement. A key made, revoked or deleted any way (the keys command from another
-- process, SQL by hand) is announced at commit, and every instance forgets the keys it remembered.
CREATE FUNCTION "api_keys_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('threat_actor_keys_changed', '');
  RETURN NULL;
END $$;

CREATE TRIGGER "ApiKey_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ApiKey"
  FOR EACH STATEMENT EXECUTE FUNCTION "api_keys_changed"();
