-- actor(externalId:), campaign(externalId:), tool(externalId:) and resolveName look identifiers up by
-- value alone (any system): the unique (system, value) index cannot serve that.
CREATE INDEX "ExternalId_value_idx" ON "ExternalId"("value");
