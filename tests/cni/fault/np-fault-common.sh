# Shared by the fault plugins (sourced): read the config from stdin, find the file named by
# its "log" key, and answer VERSION.
conf=$(cat)
log=$(printf '%s' "$conf" | grep -o '"log":"[^"]*"' | head -n 1 | cut -d '"' -f 4)
version=$(printf '%s' "$conf" | grep -o '"cniVersion":"[^"]*"' | head -n 1 | cut -d '"' -f 4)
note() {
    if [ -n "$log" ]; then echo "$*" >>"$log"; fi
}
if [ "$CNI_COMMAND" = VERSION ]; then
    echo '{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}'
    exit 0
fi
note "$CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME"
