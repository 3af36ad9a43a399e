"""The audit trail: the fsynced log, group commit, the batch lock, history and exports."""
