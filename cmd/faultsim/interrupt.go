package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// interruptible is the command's context, cancelled on SIGINT or SIGTERM:
// run, replay and bench then stop after the scenario under way, whose
// simulated node (a cgroupfs tree among them) is removed as it ends, and
// exit 130 instead of dying with their temporary trees left behind.
func interruptible(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

// interrupted is the error of a command stopped by a signal (exit 130).
func interrupted(format string, args ...any) error {
	return &exitError{exitInterrupted, fmt.Errorf("interrupted: "+format, args...)}
}
