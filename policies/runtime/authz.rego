# METADATA
# title: Authorization (RBAC)
# description: |
#   Who may run which command and which query. Input:
#     {"subject": {"id": "alice", "roles": ["customer"]},
#      "action": "command:AddItem" | "query:orders.get" | ...,
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
	"query:orders.get": "orders:read",
	"query:orders.list": "orders:read",
	"query:orders.temporal": "orders:read-history",
}

# role -> permission -> scope: "any" resource, or only resources the subject owns.
grants := {
	"customer": {
		"orders:place": "own",
		"orders:add-item": "own",
		"orders:confirm": "own",
		"orders:cancel": "own",
		"orders:read": "own",
	},
	"support": {
		"orders:read": "any",
		"orders:add-item": "any",
		"orders:confirm": "any",
		"orders:cancel": "any",
	},
	"auditor": {
		"orders:read": "any",
		"orders:read-history": "any",
	},
	# The superuser: every permission, including those of actions not mapped yet.
	"admin": {"*": "any"},
}

# An unknown action needs a permission nobody holds: its own name.
permission := action_permissions[input.action] if {
	action_permissions[input.action]
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
