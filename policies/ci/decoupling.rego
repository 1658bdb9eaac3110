# METADATA
# title: Decoupling
# description: |
#   The dependency direction of DESIGN.md, checked on the import graph of the code
#   (input.modules, produced by `npm run policy`'s import scan):
#   domain and operators -> core only; adapters -> core only (never another adapter);
#   pipelines -> operators, domain, core; handlers may import anything; nothing imports handlers
#   except deploy/, which generates the deployment (functions, roles, alarms) of the handlers.
#   No direct service-to-service call: pipelines, handlers, domain and operators never call
#   another service's HTTP API, and no code invokes a Lambda; they talk through streams,
#   queues and stores.
package nexus.ci.decoupling

# Layers each layer may import (besides itself and external packages).
allowed_imports := {
	"core": {"core"},
	"domain": {"core"},
	"operators": {"core"},
	"adapters": {"core"},
	"pipelines": {"core", "domain", "operators"},
	"handlers": {"core", "domain", "operators", "pipelines", "adapters", "handlers", "scripts"},
	"deploy": {"core", "domain", "operators", "pipelines", "adapters", "handlers", "deploy"},
}

# Layers that must not call other services directly.
no_service_calls := {"pipelines", "handlers", "domain", "operators"}

deny contains violation if {
	some module in input.modules
	some imported in module.imports
	imported.layer == "handlers"
	not module.layer in {"handlers", "deploy"}
	violation := {
		"rule": "decoupling/nothing-imports-handlers",
		"file": module.file,
		"line": imported.line,
		"detail": sprintf("imports %s (handlers/ is the composition root: nothing depends on it)", [imported.specifier]),
	}
}

deny contains violation if {
	some module in input.modules
	module.layer == "adapters"
	some imported in module.imports
	imported.layer == "adapters"
	imported.adapter != module.adapter
	violation := {
		"rule": "decoupling/adapter-to-adapter",
		"file": module.file,
		"line": imported.line,
		"detail": sprintf("imports %s (adapters/%s may not import adapters/%s)", [imported.specifier, module.adapter, imported.adapter]),
	}
}

deny contains violation if {
	some module in input.modules
	some imported in module.imports
	imported.layer == "adapters"
	module.layer in {"domain", "operators", "core", "pipelines"}
	violation := {
		"rule": sprintf("decoupling/%s-to-adapters", [module.layer]),
		"file": module.file,
		"line": imported.line,
		"detail": sprintf("imports %s (%s/ depends on core ports, never on adapters)", [imported.specifier, module.layer]),
	}
}

deny contains violation if {
	some module in input.modules
	some imported in module.imports
	allowed := allowed_imports[module.layer]
	imported.layer != module.layer
	not imported.layer in allowed
	not imported.layer in {"adapters", "handlers"} # reported by the rules above
	allowed_imports[imported.layer] # a scanned layer, not a package or another folder
	violation := {
		"rule": "decoupling/dependency-direction",
		"file": module.file,
		"line": imported.line,
		"detail": sprintf("imports %s (%s/ may depend on %s only)", [imported.specifier, module.layer, concat(", ", sort([l | some l in allowed]))]),
	}
}

deny contains violation if {
	some module in input.modules
	module.layer in no_service_calls
	some call in module.serviceCalls
	call.kind != "lambda-invoke"
	violation := {
		"rule": "decoupling/service-to-service-call",
		"file": module.file,
		"line": call.line,
		"detail": sprintf("%s (%s/ talks to other services through streams, queues and stores only)", [call.detail, module.layer]),
	}
}

deny contains violation if {
	some module in input.modules
	some call in module.serviceCalls
	call.kind == "lambda-invoke"
	violation := {
		"rule": "decoupling/service-to-service-call",
		"file": module.file,
		"line": call.line,
		"detail": sprintf("%s (invoke no Lambda directly: publish to a stream or queue)", [call.detail]),
	}
}
