"""evalmon.supervisor: run an eval job, and after a GPU OOM relaunch it with a smaller batch.

- ``model``     Attempt / SupervisorStatus: what the dashboard and the record show
- ``policy``    PURE: next batch size, relaunch / give up / fail decisions with reasons
- ``argv``      PURE: ``{batch_size}``, ``--batch-env``, lm-eval flags and model_args, --use_cache
- ``record``    DIR/.evalmon/attempts.jsonl (append + fsync, torn-line tolerant) and the run lock
- ``local``     own process group, output files, SIGTERM -> SIGKILL, adoption by pid+start time
- ``slurm``     sbatch / squeue / scontrol / sacct / scancel, deduplicated submission
- ``watch``     the run's logs through the shared Follower, polled by the loop
- ``supervisor`` the loop (its command line, ``evalmon run``, is :mod:`evalmon.cli.run`)
"""
