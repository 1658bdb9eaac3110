# METADATA
# title: Immutability of the event store
# description: |
#   The event store is append-only. Denies any IAM statement (serverless.yml, or the packaged
#   CloudFormation once it exists; input.iamStatements) that allows UpdateItem, DeleteItem,
#   BatchWriteItem or a PartiQL update/delete on the events table, and any code that issues an
#   update or delete against it (input.modules[_].storeWrites).
package nexus.ci.immutability

forbidden_actions := {
	"dynamodb:updateitem",
	"dynamodb:deleteitem",
	"dynamodb:batchwriteitem",
	"dynamodb:partiqlupdate",
	"dynamodb:partiqldelete",
}

# Names the events table goes by: SQLite's table, and the DynamoDB table's logical id and name.
events_table_names contains "events"

events_table_names contains table.logicalId if {
	some table in input.dynamoTables
	is_events_table(table)
}

events_table_names contains table.tableName if {
	some table in input.dynamoTables
	is_events_table(table)
	is_string(table.tableName)
}

is_events_table(table) if regex.match(`(?i)events?(table)?$`, table.logicalId)

is_events_table(table) if regex.match(`(?i)(^|[-_.])events$`, table.tableName)

# A resource that designates the events table: its name or logical id, or a wildcard table.
targets_events_table(resource) if {
	some name in events_table_names
	name != "events"
	contains(resource, name)
}

targets_events_table(resource) if resource == "*"

targets_events_table(resource) if regex.match(`^arn:aws:dynamodb:[^:]*:[^:]*:table/\*`, resource)

grants(pattern, action) if glob.match(lower(pattern), [], action)

deny contains violation if {
	some statement in input.iamStatements
	statement.effect == "Allow"
	some resource in statement.resources
	targets_events_table(resource)
	some granted in statement.actions
	some action in forbidden_actions
	grants(granted, action)
	violation := {
		"rule": "immutability/events-table-append-only",
		"file": statement.file,
		"line": statement.line,
		"detail": sprintf("%s allows %s on %s (the events table is append-only)", [statement.path, granted, resource]),
	}
}

deny contains violation if {
	some module in input.modules
	some write in module.storeWrites
	write.kind == "sql"
	lower(write.table) in events_table_names
	violation := {
		"rule": "immutability/no-update-or-delete-code",
		"file": module.file,
		"line": write.line,
		"detail": sprintf("issues `%s` against the events table (events are never updated or deleted)", [write.statement]),
	}
}

deny contains violation if {
	some module in input.modules
	module.referencesEventsTable
	some write in module.storeWrites
	write.kind == "dynamodb"
	violation := {
		"rule": "immutability/no-update-or-delete-code",
		"file": module.file,
		"line": write.line,
		"detail": sprintf("uses %s in a module that works on the events table (events are never updated or deleted)", [write.statement]),
	}
}
