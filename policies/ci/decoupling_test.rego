package nexus.ci.decoupling_test

import data.nexus.ci.decoupling

module(file, layer, adapter, imports) := {"file": file, "layer": layer, "adapter": adapter, "imports": imports, "serviceCalls": []}

imp(specifier, layer, adapter) := {"specifier": specifier, "layer": layer, "adapter": adapter, "line": 3}

rules(modules) := {v.rule | some v in found} if {
	found := decoupling.deny with input as {"modules": modules}
}

test_allows_the_designed_direction if {
	count(decoupling.deny) == 0 with input as {"modules": [
		module("domain/order/x.ts", "domain", null, [imp("../../core/command", "core", null)]),
		module("operators/decode.ts", "operators", null, [imp("../core/schema", "core", null), imp("rxjs", "external", null)]),
		module("pipelines/p.ts", "pipelines", null, [imp("../operators", "operators", null), imp("../domain", "domain", null)]),
		module("adapters/embedded/S.ts", "adapters", "embedded", [imp("./T", "adapters", "embedded"), imp("../../core/events/EventStore", "core", null)]),
		module("handlers/local/server.ts", "handlers", null, [imp("../../adapters/embedded", "adapters", "embedded"), imp("../../pipelines", "pipelines", null)]),
		module("deploy/template.ts", "deploy", null, [imp("../handlers/aws/awsConfig", "handlers", null), imp("../adapters/aws/tables/eventsTable", "adapters", "aws")]),
	]}
}

test_denies_adapter_to_adapter if {
	r := rules([module("adapters/aws/A.ts", "adapters", "aws", [imp("../embedded/B", "adapters", "embedded")])])
	r == {"decoupling/adapter-to-adapter"}
}

test_violation_names_file_line_and_import if {
	some v in decoupling.deny with input as {"modules": [module("adapters/aws/A.ts", "adapters", "aws", [imp("../embedded/B", "adapters", "embedded")])]}
	v.file == "adapters/aws/A.ts"
	v.line == 3
	contains(v.detail, "../embedded/B")
}

test_denies_anything_to_handlers if {
	rules([module("core/x.ts", "core", null, [imp("../handlers/local/config", "handlers", null)])]) == {"decoupling/nothing-imports-handlers"}
	rules([module("pipelines/p.ts", "pipelines", null, [imp("../handlers/cli/x", "handlers", null)])]) == {"decoupling/nothing-imports-handlers"}
}

test_denies_anything_to_deploy if {
	rules([module("handlers/aws/x.ts", "handlers", null, [imp("../../deploy/template", "deploy", null)])]) == {"decoupling/dependency-direction"}
}

test_denies_domain_and_operators_to_adapters if {
	rules([module("domain/x.ts", "domain", null, [imp("../adapters/embedded", "adapters", "embedded")])]) == {"decoupling/domain-to-adapters"}
	rules([module("operators/x.ts", "operators", null, [imp("../adapters/embedded", "adapters", "embedded")])]) == {"decoupling/operators-to-adapters"}
}

test_denies_core_to_domain if {
	rules([module("core/x.ts", "core", null, [imp("../domain", "domain", null)])]) == {"decoupling/dependency-direction"}
}

test_denies_domain_to_pipelines if {
	rules([module("domain/x.ts", "domain", null, [imp("../pipelines/router", "pipelines", null)])]) == {"decoupling/dependency-direction"}
}

test_denies_http_calls_from_pipelines_and_handlers if {
	call := {"kind": "fetch", "detail": "calls fetch()", "line": 9}
	p := object.union(module("pipelines/p.ts", "pipelines", null, []), {"serviceCalls": [call]})
	h := object.union(module("handlers/aws/h.ts", "handlers", null, []), {"serviceCalls": [call]})
	count(decoupling.deny) == 2 with input as {"modules": [p, h]}
	rules([p]) == {"decoupling/service-to-service-call"}
}

test_allows_http_clients_in_adapters if {
	a := object.union(module("adapters/aws/OpenSearch.ts", "adapters", "aws", []), {"serviceCalls": [{"kind": "http-client-library", "detail": "imports undici", "line": 1}]})
	count(decoupling.deny) == 0 with input as {"modules": [a]}
}

test_denies_lambda_invoke_everywhere if {
	a := object.union(module("adapters/aws/X.ts", "adapters", "aws", []), {"serviceCalls": [{"kind": "lambda-invoke", "detail": "uses InvokeCommand", "line": 4}]})
	rules([a]) == {"decoupling/service-to-service-call"}
}
