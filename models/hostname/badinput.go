package hostname

import "github.com/faultsim/faultsim/models"

// badInputs are malformed scenario files of the model (Model.BadInputs).
func badInputs() []models.BadInput {
	const head = "name: x\nmodel: hostname\nvariant: reference\n"
	bad := models.Bad
	return []models.BadInput{
		bad("missing steps", head+"expect: pass\n", "steps: missing"),
		bad("unknown op", head+"steps:\n  - {op: reboot, pod: web}\nexpect: pass\n", `:5: steps[0].op: unknown operation "reboot": expected run-pod-sandbox or stop-pod-sandbox`),
		bad("pod name with capitals", head+"steps:\n  - {op: run-pod-sandbox, pod: Web}\nexpect: pass\n", `:5: steps[0].pod: "Web": expected a pod name`),
		bad("hostname on a stop", head+"steps:\n  - {op: run-pod-sandbox, pod: web}\n  - {at: 1s, op: stop-pod-sandbox, pod: web, hostname: web}\nexpect: pass\n", `:6: steps[1].hostname: "web": expected a DNS-1123 label of at most 63 characters, on run-pod-sandbox only`),
		bad("pod run twice", head+"steps:\n  - {op: run-pod-sandbox, pod: web}\n  - {at: 1s, op: run-pod-sandbox, pod: web}\nexpect: pass\n", `:6: steps[1].pod: "web" is running already`),
		bad("stop of a pod never run", head+"steps:\n  - {op: stop-pod-sandbox, pod: web}\nexpect: pass\n", `:5: steps[0].pod: "web" is not running`),
		bad("unknown fault label", head+"steps:\n  - {op: run-pod-sandbox, pod: web, fault: host-port-zero}\nexpect: pass\n", `:5: steps[0].fault: "host-port-zero": expected the name of a data fault this model consumes`),
	}
}
