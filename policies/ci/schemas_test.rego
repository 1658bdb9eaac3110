package nexus.ci.schemas_test

import data.nexus.ci.schemas

schema_files := [{"file": "schemas/nexus.order.OrderPlaced.v1.avsc", "eventType": "OrderPlaced"}]

domain(events) := {"file": "domain/order/OrderEvents.ts", "layer": "domain", "emittedEvents": events, "ofTypes": []}

pipeline(types) := {"file": "pipelines/p.ts", "layer": "pipelines", "emittedEvents": [], "ofTypes": types}

test_allows_registered_event_types if {
	count(schemas.deny) == 0 with input as {"schemas": schema_files, "modules": [
		domain([{"eventType": "OrderPlaced", "line": 1}]),
		pipeline([{"eventType": "OrderPlaced", "line": 2}]),
	]}
}

test_denies_an_emitted_event_without_schema if {
	some v in schemas.deny with input as {"schemas": schema_files, "modules": [domain([{"eventType": "OrderShipped", "line": 4}])]}
	v.rule == "schemas/emitted-event-registered"
	contains(v.detail, "OrderShipped")
	v.line == 4
}

test_denies_an_oftype_of_an_unregistered_type if {
	some v in schemas.deny with input as {"schemas": schema_files, "modules": [pipeline([{"eventType": "OrderShiped", "line": 8}])]}
	v.rule == "schemas/oftype-registered"
	v.file == "pipelines/p.ts"
}
