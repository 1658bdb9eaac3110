# METADATA
# title: Rate limits
# description: |
#   Temporal queries are limited to 10 requests per minute per client. The policy decides from a
#   count it is given; the count lives in a store (SQLite in the embedded system).
#   `rule` input: {"method": "GET", "path": "/api/queries/temporal/orders/o-1"}
#   `decision` input: the same plus {"count": n (this request included), "resetInSeconds": s}
package nexus.ratelimit

limits := [{
	"name": "temporal-queries",
	"method": "GET",
	"pathPrefix": "/api/queries/temporal/",
	"limit": 10,
	"windowSeconds": 60,
}]

# The limit that applies to a request, if any.
rule := r if {
	some r in limits
	input.method == r.method
	startswith(input.path, r.pathPrefix)
}

default decision := {"allow": true, "limited": false}

decision := {
	"allow": input.count <= rule.limit,
	"limited": true,
	"rule": rule.name,
	"limit": rule.limit,
	"remaining": max([0, rule.limit - input.count]),
	"retryAfterSeconds": retry_after,
}

retry_after := 0 if {
	input.count <= rule.limit
} else := max([1, ceil(input.resetInSeconds)])
