package nexus.ratelimit_test

import data.nexus.ratelimit

temporal := {"method": "GET", "path": "/api/queries/temporal/orders/order-1"}

test_temporal_queries_have_a_rule if {
	r := ratelimit.rule with input as temporal
	r.limit == 10
	r.windowSeconds == 60
}

test_other_routes_have_no_rule if {
	not ratelimit.rule with input as {"method": "GET", "path": "/api/queries/orders/order-1"}
	not ratelimit.rule with input as {"method": "POST", "path": "/api/queries/temporal/orders/order-1"}
}

test_tenth_request_in_a_window_is_allowed if {
	d := ratelimit.decision with input as object.union(temporal, {"count": 10, "resetInSeconds": 12})
	d.allow
	d.remaining == 0
	d.retryAfterSeconds == 0
}

test_eleventh_request_in_a_window_is_denied_with_retry_after if {
	d := ratelimit.decision with input as object.union(temporal, {"count": 11, "resetInSeconds": 12.2})
	not d.allow
	d.rule == "temporal-queries"
	d.retryAfterSeconds == 13
}

test_retry_after_is_at_least_one_second if {
	d := ratelimit.decision with input as object.union(temporal, {"count": 50, "resetInSeconds": 0})
	d.retryAfterSeconds == 1
}

test_unlimited_routes_are_allowed_whatever_the_count if {
	d := ratelimit.decision with input as {"method": "GET", "path": "/api/queries/orders", "count": 1000, "resetInSeconds": 1}
	d.allow
	not d.limited
}
