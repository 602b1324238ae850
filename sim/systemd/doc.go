// Package systemd is a fake systemd for the simulated node: transient units
// (scopes, slices, services) created through a StartTransientUnit-like call
// with an ordered property list, where a repeated property's last value wins
// and a property the node's systemd version does not know fails the call,
// as org.freedesktop.systemd1 does. The cgroups model hooks unit creation to
// make the unit's cgroup; the signals model drives units' stop and the
// node-shutdown transaction.
package systemd
