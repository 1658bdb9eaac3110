# METADATA
# title: Schema registration
# description: |
#   Every event type the domain can emit (input.modules[_].emittedEvents) has a schema file in
#   schemas/ (input.schemas), and every ofType(...) in a pipeline names a registered type.
package nexus.ci.schemas

registered := {schema.eventType | some schema in input.schemas}

deny contains violation if {
	some module in input.modules
	module.layer == "domain"
	some event in module.emittedEvents
	not event.eventType in registered
	violation := {
		"rule": "schemas/emitted-event-registered",
		"file": module.file,
		"line": event.line,
		"detail": sprintf("event type %s has no schema in schemas/ (add <Namespace>.%s.v1.avsc)", [event.eventType, event.eventType]),
	}
}

deny contains violation if {
	some module in input.modules
	module.layer == "pipelines"
	some filter in module.ofTypes
	not filter.eventType in registered
	violation := {
		"rule": "schemas/oftype-registered",
		"file": module.file,
		"line": filter.line,
		"detail": sprintf("ofType('%s') names an event type without a schema in schemas/", [filter.eventType]),
	}
}
