"""Parts of the Gymnasium front door that are not the env class itself: its private event
loop, how it sees an outer time limit, shared memory for async vector envs and the batched
rollout helper. The env is :class:`agentclinic.env.ClinicEnv`."""
