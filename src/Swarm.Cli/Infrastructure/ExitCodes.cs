namespace Swarm.Cli.Infrastructure;

/// <summary>Documented exit codes of the swarm command.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int WorkflowFailed = 1;
    public const int BadInput = 2;
    public const int Unavailable = 3;
    public const int Interrupted = 130;
}
