package nexus.ci.immutability_test

import data.nexus.ci.immutability

tables := [{"logicalId": "EventsTable", "tableName": "nexus-dev-events"}, {"logicalId": "SnapshotsTable", "tableName": "nexus-dev-snapshots"}]

statement(actions, resources) := {"file": "serverless.yml", "path": "provider.iam.role.statements[0]", "line": 12, "effect": "Allow", "actions": actions, "resources": resources}

violations(statements) := found if {
	found := immutability.deny with input as {"iamStatements": statements, "dynamoTables": tables, "modules": []}
}

events_arn := `{"Fn::GetAtt":["EventsTable","Arn"]}`

test_allows_append_and_read_grants_on_the_events_table if {
	count(violations([statement(["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"], [events_arn])])) == 0
}

test_denies_update_item_on_the_events_table if {
	some v in violations([statement(["dynamodb:PutItem", "dynamodb:UpdateItem"], [events_arn])])
	v.rule == "immutability/events-table-append-only"
	v.file == "serverless.yml"
	contains(v.detail, "dynamodb:UpdateItem")
}

test_denies_each_forbidden_action if {
	every action in ["dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"] {
		count(violations([statement([action], [events_arn])])) == 1
	}
}

test_denies_wildcards_that_include_a_forbidden_action if {
	count(violations([statement(["dynamodb:*"], [events_arn])])) > 0
	count(violations([statement(["dynamodb:Update*"], [events_arn])])) > 0
	count(violations([statement(["*"], [events_arn])])) > 0
}

test_denies_forbidden_actions_on_every_table if {
	count(violations([statement(["dynamodb:DeleteItem"], ["*"])])) > 0
	count(violations([statement(["dynamodb:DeleteItem"], ["arn:aws:dynamodb:eu-west-1:123:table/*"])])) > 0
}

test_denies_by_table_name if {
	count(violations([statement(["dynamodb:DeleteItem"], ["arn:aws:dynamodb:eu-west-1:123:table/nexus-dev-events"])])) > 0
}

test_allows_updates_on_other_tables if {
	count(violations([statement(["dynamodb:UpdateItem", "dynamodb:DeleteItem"], [`{"Fn::GetAtt":["SnapshotsTable","Arn"]}`])])) == 0
}

test_ignores_deny_statements if {
	s := object.union(statement(["dynamodb:DeleteItem"], [events_arn]), {"effect": "Deny"})
	count(violations([s])) == 0
}

code(writes, references) := {"file": "adapters/x/S.ts", "layer": "adapters", "storeWrites": writes, "referencesEventsTable": references}

test_denies_sql_update_of_events if {
	some v in immutability.deny with input as {"modules": [code([{"kind": "sql", "table": "events", "statement": "UPDATE events SET", "line": 7}], true)]}
	v.rule == "immutability/no-update-or-delete-code"
	v.line == 7
}

test_allows_sql_updates_of_other_tables if {
	count(immutability.deny) == 0 with input as {"modules": [code([{"kind": "sql", "table": "dead_letters", "statement": "UPDATE dead_letters SET", "line": 7}], false)]}
}

test_denies_dynamodb_delete_in_event_store_code if {
	count(immutability.deny) == 1 with input as {"modules": [code([{"kind": "dynamodb", "statement": "DeleteItemCommand", "line": 3}], true)]}
}

test_allows_dynamodb_updates_elsewhere if {
	count(immutability.deny) == 0 with input as {"modules": [code([{"kind": "dynamodb", "statement": "UpdateItemCommand", "line": 3}], false)]}
}
