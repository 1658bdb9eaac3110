package nexus.authz_test

import data.nexus.authz

customer := {"id": "alice", "roles": ["customer"]}

auditor := {"id": "audrey", "roles": ["auditor"]}

support := {"id": "sam", "roles": ["support"]}

admin := {"id": "root", "roles": ["admin"]}

order_of(owner) := {"type": "order", "id": "order-1", "ownerId": owner}

test_customer_may_place_an_order_for_themself if {
	d := authz.decision with input as {"subject": customer, "action": "command:PlaceOrder", "resource": order_of("alice")}
	d.allow
	d.permission == "orders:place"
}

test_customer_may_not_place_an_order_for_another_customer if {
	d := authz.decision with input as {"subject": customer, "action": "command:PlaceOrder", "resource": order_of("bob")}
	not d.allow
	d.permission == "orders:place"
	contains(d.reason, "own")
}

test_customer_without_resource_is_allowed_on_own_scope_only if {
	d := authz.decision with input as {"subject": customer, "action": "query:orders.get"}
	d.allow
	d.scope == "own"
}

test_customer_may_read_own_order if {
	d := authz.decision with input as {"subject": customer, "action": "query:orders.get", "resource": order_of("alice")}
	d.allow
}

test_customer_may_not_read_another_customers_order if {
	d := authz.decision with input as {"subject": customer, "action": "query:orders.get", "resource": order_of("bob")}
	not d.allow
	d.permission == "orders:read"
}

test_customer_may_not_act_on_an_order_without_known_owner if {
	d := authz.decision with input as {"subject": customer, "action": "command:CancelOrder", "resource": {"type": "order", "id": "gone"}}
	not d.allow
}

test_customer_may_not_run_temporal_queries if {
	d := authz.decision with input as {"subject": customer, "action": "query:orders.temporal"}
	not d.allow
	d.permission == "orders:read-history"
	d.reason == "no role of the subject grants orders:read-history"
}

test_auditor_may_run_temporal_queries_on_any_order if {
	d := authz.decision with input as {"subject": auditor, "action": "query:orders.temporal", "resource": order_of("bob")}
	d.allow
	d.scope == "any"
}

test_auditor_may_not_run_commands if {
	d := authz.decision with input as {"subject": auditor, "action": "command:CancelOrder"}
	not d.allow
	d.permission == "orders:cancel"
}

test_support_may_cancel_any_order if {
	d := authz.decision with input as {"subject": support, "action": "command:CancelOrder", "resource": order_of("bob")}
	d.allow
}

test_support_may_not_place_orders if {
	d := authz.decision with input as {"subject": support, "action": "command:PlaceOrder"}
	not d.allow
}

test_support_may_not_run_temporal_queries if {
	d := authz.decision with input as {"subject": support, "action": "query:orders.temporal"}
	not d.allow
}

test_admin_may_do_everything_known if {
	every action, _ in authz.action_permissions {
		d := authz.decision with input as {"subject": admin, "action": action, "resource": order_of("bob")}
		d.allow
	}
}

test_unknown_action_is_denied_to_every_role_but_admin if {
	every role in ["customer", "support", "auditor"] {
		d := authz.decision with input as {"subject": {"id": "x", "roles": [role]}, "action": "command:DropTables"}
		not d.allow
		d.permission == "command:DropTables"
	}
	authz.decision.allow with input as {"subject": admin, "action": "command:DropTables"}
}

test_subject_without_roles_is_denied if {
	d := authz.decision with input as {"subject": {"id": "nobody", "roles": []}, "action": "query:orders.list"}
	not d.allow
}

test_roles_combine if {
	d := authz.decision with input as {"subject": {"id": "alice", "roles": ["customer", "auditor"]}, "action": "query:orders.get", "resource": order_of("bob")}
	d.allow
	d.scope == "any"
}

test_order_queries_need_orders_read if {
	every action in ["query:orders.list", "query:orders.get"] {
		d := authz.decision with input as {"subject": support, "action": action}
		d.allow
		d.permission == "orders:read"
	}
}

test_a_declared_read_model_query_needs_its_resource_types_read_permission if {
	d := authz.decision with input as {"subject": support, "action": "query:invoices.list"}
	not d.allow
	d.permission == "invoices:read"
	authz.decision.allow with input as {"subject": admin, "action": "query:invoices.get"}
}

test_a_declared_read_model_query_needs_the_permission_its_declaration_names if {
	d := authz.decision with input as {"subject": customer, "action": "query:shipments.list", "permission": "orders"}
	d.allow
	d.permission == "orders:read"
	d.scope == "own"
}

test_own_scope_on_a_declared_read_model_reads_only_owned_documents if {
	shipment := {"type": "shipment", "id": "s-1", "ownerId": "alice"}
	authz.decision.allow with input as {"subject": customer, "action": "query:shipments.get", "permission": "orders", "resource": shipment}
	d := authz.decision with input as {"subject": customer, "action": "query:shipments.get", "permission": "orders", "resource": {"type": "shipment", "id": "s-1", "ownerId": "bob"}}
	not d.allow
	d.reason == "orders:read is granted on the subject's own shipments only"
}

test_own_scope_reads_nothing_of_a_read_model_without_owner if {
	d := authz.decision with input as {"subject": customer, "action": "query:order-notices.list", "permission": "orders", "resource": {"type": "order-notice"}}
	not d.allow
	authz.decision.allow with input as {"subject": support, "action": "query:order-notices.list", "permission": "orders", "resource": {"type": "order-notice"}}
}

test_a_declared_permission_does_not_change_other_actions if {
	d := authz.decision with input as {"subject": customer, "action": "query:orders.temporal", "permission": "orders"}
	not d.allow
	d.permission == "orders:read-history"
	e := authz.decision with input as {"subject": customer, "action": "command:DropTables", "permission": "orders"}
	e.permission == "command:DropTables"
}

test_a_malformed_declared_permission_falls_back_to_the_resource_type if {
	d := authz.decision with input as {"subject": admin, "action": "query:invoices.list", "permission": "*"}
	d.permission == "invoices:read"
}

test_only_list_and_get_of_a_read_model_map_generically if {
	d := authz.decision with input as {"subject": support, "action": "query:orders.delete"}
	not d.allow
	d.permission == "query:orders.delete"
}

test_an_orders_temporal_query_still_needs_exactly_orders_read_history if {
	d := authz.decision with input as {"subject": auditor, "action": "query:orders.temporal"}
	d.allow
	d.permission == "orders:read-history"
}

test_auditor_may_not_read_history_of_a_new_aggregate_type_without_a_grant if {
	d := authz.decision with input as {"subject": auditor, "action": "query:shipping-labels.temporal", "resource": label_of("bob")}
	not d.allow
	d.permission == "shipping-labels:read-history"
	d.reason == "no role of the subject grants shipping-labels:read-history"
}

label_of(owner) := {"type": "shippingLabel", "id": "l-1", "ownerId": owner}

test_a_new_aggregate_types_history_follows_its_grant if {
	grants := object.union(authz.grants, {"auditor": {"shipping-labels:read-history": "any"}})
	authz.decision.allow with input as {"subject": auditor, "action": "query:shipping-labels.temporal", "resource": label_of("bob")} with authz.grants as grants
	authz.decision.allow with input as {"subject": admin, "action": "query:shipping-labels.temporal", "resource": label_of("bob")}
}

test_customer_reads_history_of_own_aggregates_only_when_granted_on_own if {
	grants := object.union(authz.grants, {"customer": object.union(authz.grants.customer, {"orders:read-history": "own"})})
	mine := authz.decision with input as {"subject": customer, "action": "query:orders.temporal", "resource": order_of("alice")} with authz.grants as grants
	mine.allow
	mine.scope == "own"
	theirs := authz.decision with input as {"subject": customer, "action": "query:orders.temporal", "resource": order_of("bob")} with authz.grants as grants
	not theirs.allow
	theirs.reason == "orders:read-history is granted on the subject's own orders only"
}

test_customer_may_not_read_history_of_own_order_with_the_shipped_grants if {
	d := authz.decision with input as {"subject": customer, "action": "query:orders.temporal", "resource": order_of("alice")}
	not d.allow
	d.permission == "orders:read-history"
}

test_only_the_temporal_suffix_maps_to_read_history if {
	d := authz.decision with input as {"subject": auditor, "action": "query:orders.temporal-export"}
	not d.allow
	d.permission == "query:orders.temporal-export"
	e := authz.decision with input as {"subject": auditor, "action": "query:Orders.temporal"}
	e.permission == "query:Orders.temporal"
}

saga_of(owner) := {"type": "saga", "id": "fulfilment-order-1", "ownerId": owner}

test_customer_may_read_the_saga_of_own_order if {
	d := authz.decision with input as {"subject": customer, "action": "query:sagas.get", "resource": saga_of("alice")}
	d.allow
	d.permission == "sagas:read"
}

test_customer_may_not_read_the_saga_of_another_customer if {
	d := authz.decision with input as {"subject": customer, "action": "query:sagas.get", "resource": saga_of("bob")}
	not d.allow
	d.reason == "sagas:read is granted on the subject's own sagas only"
}

test_support_and_auditor_may_read_any_saga if {
	every subject in [support, auditor] {
		d := authz.decision with input as {"subject": subject, "action": "query:sagas.get", "resource": saga_of("bob")}
		d.allow
		d.scope == "any"
	}
}
