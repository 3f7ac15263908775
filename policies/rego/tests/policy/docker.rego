# Dockerfiles in conftest's structure (input is the list of instructions),
# written in Rego v0 syntax as many existing conftest policies are
# (`rego-version = "v0"`).
package docker

# Base images are pinned to a digest.
deny[msg] {
	some i
	input[i].Cmd == "from"
	image := input[i].Value[0]
	not contains(image, "@sha256:")
	image != "scratch"
	msg := sprintf("FROM %s: pin the base image to a digest", [image])
}

# The image does not end as root.
deny_root[msg] {
	users := [u | input[i].Cmd == "user"; u := input[i].Value[0]]
	count(users) > 0
	users[count(users) - 1] == "root"
	msg := "the last USER is root"
}

# curl | sh in a RUN is a warning.
warn_curl_pipe[msg] {
	some i
	input[i].Cmd == "run"
	line := concat(" ", input[i].Value)
	regex.match(`curl[^|]*[|] *(ba)?sh`, line)
	msg := sprintf("RUN pipes a download into a shell: %s", [line])
}
