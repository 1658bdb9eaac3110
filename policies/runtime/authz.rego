# METADATA
# title: Authorization (RBAC)
# description: |
#   Who may run which command and which query. Input:
#     {"subject": {"id": "alice", "roles": ["customer"]},
#      "action": "command:AddItem" | "query:orders.get" | ...,
#      "permission": "orders",   (optional: the declared read model's permission, see below)
#      "resource": {"type": "order", "id": "order-1", "ownerId": "alice"}}   (optional)
#   Without a resource the decision says whether the subject may run the action at all, and with
#   which scope: "any" resource, or only its "own" (ask again with the resource to settle it).
package nexus.authz

# The permission each action needs.
action_permissions := {
	"command:PlaceOrder": "orders:place",
	"command:AddItem": "orders:add-item",
	"command:ConfirmOrder": "orders:confirm",
	"command:CancelOrder": "orders:cancel",
}

# role -> permission -> scope: "any" resource, or only resources the subject owns.
grants := {
	"customer": {
		"orders:place": "own",
		"orders:add-item": "own",
		"orders:confirm": "own",
		"orders:cancel": "own",
		"orders:read": "own",
		# GET /api/sagas/{id} (query:sagas.get): a customer follows the fulfilment of its own orders.
		"sagas:read": "own",
	},
	"support": {
		"orders:read": "any",
		"orders:add-item": "any",
		"orders:confirm": "any",
		"orders:cancel": "any",
		"sagas:read": "any",
	},
	"auditor": {
		"orders:read": "any",
		"orders:read-history": "any",
		"sagas:read": "any",
	},
	# The superuser: every permission, including those of actions not mapped yet.
	"admin": {"*": "any"},
}

# A declared read model's list and get, `query:<resourceType>.list|get`, need `<p>:read`: p is the
# permission its declaration names (input.permission), by default its resource type; so
# `query:orders.list` needs `orders:read`.
read_model_type := match[1] if {
	some match in regex.find_all_string_submatch_n(`^query:([a-z][a-z0-9-]{0,62})\.(?:list|get)$`, input.action, 1)
}

# A temporal query of an aggregate type, `query:<segment>.temporal` (the type's URL segment, see
# core/http/temporalAggregates.ts), needs `<segment>:read-history`: `query:orders.temporal` needs
# `orders:read-history`, and a new aggregate type is covered without editing this file.
temporal_segment := match[1] if {
	some match in regex.find_all_string_submatch_n(`^query:([a-z][a-z0-9-]{0,62})\.temporal$`, input.action, 1)
}

# An unknown action needs a permission nobody holds: its own name.
permission := action_permissions[input.action] if {
	action_permissions[input.action]
} else := sprintf("%s:read-history", [temporal_segment]) if {
	temporal_segment
} else := sprintf("%s:read", [input.permission]) if {
	read_model_type
	regex.match(`^[a-z][a-z0-9-]{0,62}$`, input.permission)
} else := sprintf("%s:read", [read_model_type]) if {
	read_model_type
} else := input.action

scopes contains scope if {
	some role in input.subject.roles
	scope := grants[role][permission]
}

scopes contains scope if {
	some role in input.subject.roles
	scope := grants[role]["*"]
}

owns_resource if {
	is_string(input.resource.ownerId)
	input.resource.ownerId == input.subject.id
}

decision := {"allow": true, "permission": permission, "scope": "any"} if {
	"any" in scopes
} else := {"allow": true, "permission": permission, "scope": "own"} if {
	"own" in scopes
	not input.resource
} else := {"allow": true, "permission": permission, "scope": "own"} if {
	"own" in scopes
	owns_resource
} else := {"allow": false, "permission": permission, "scope": "none", "reason": reason}

reason := sprintf("%s is granted on the subject's own %ss only", [permission, input.resource.type]) if {
	"own" in scopes
} else := sprintf("no role of the subject grants %s", [permission])
