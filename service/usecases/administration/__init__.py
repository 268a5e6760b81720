"""The municipality's set-up: policy, teams, staff, clients, sign-in, instruments, webhooks."""
