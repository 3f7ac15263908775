package docker

test_a_pinned_base_passes {
	count(deny) == 0 with input as [{"Cmd": "from", "Value": ["alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]}]
}

test_a_tag_is_not_a_pin {
	deny["FROM alpine:3.20: pin the base image to a digest"] with input as [{"Cmd": "from", "Value": ["alpine:3.20"]}]
}

test_the_last_user_counts {
	count(deny_root) == 0 with input as [{"Cmd": "user", "Value": ["root"]}, {"Cmd": "user", "Value": ["app"]}]
	deny_root["the last USER is root"] with input as [{"Cmd": "user", "Value": ["app"]}, {"Cmd": "user", "Value": ["root"]}]
}

test_curl_into_sh_warns {
	count(warn_curl_pipe) == 1 with input as [{"Cmd": "run", "Value": ["curl -fsSL https://get.example.com | sh"]}]
}
