using Swarm.Cli.Commands;

// Exit codes: 0 success; 1 the workflow failed or was cancelled; 2 bad input or usage;
// 3 the director is unreachable or its store failed; 130 interrupted.
return await SwarmCommand.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
