using Swarm.Cli.Commands;
using Swarm.Cli.Infrastructure;

// Exit codes: 0 success; 1 the workflow failed or was cancelled; 2 bad input or usage;
// 3 the director is unreachable or its store failed; 130 interrupted.
var parsed = SwarmCommand.Create().Parse(args);
int code;
try
{
    code = await parsed.InvokeAsync(new System.CommandLine.InvocationConfiguration { EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
}
catch (InvalidDataException ex)
{
    // A bad connection file or similar input named in the message.
    Ui.Error(ex.Message);
    return ExitCodes.BadInput;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    Console.Error.WriteLine($"unexpected error: {ex}");
    return 1;
}

// System.CommandLine reports usage errors (unknown option, value not among the allowed ones) with 1; ours is 2.
return parsed.Errors.Count > 0 && code == 1 ? ExitCodes.BadInput : code;
