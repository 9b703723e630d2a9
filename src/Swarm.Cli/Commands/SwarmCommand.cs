using System.CommandLine;

namespace Swarm.Cli.Commands;

/// <summary>The root command.</summary>
internal static class SwarmCommand
{
    public static RootCommand Create()
    {
        var director = CommonOptions.Director();
        var root = new RootCommand(
            "Swarm: turn a changing crowd of machines into one elastic compute swarm.\n" +
            "Exit codes: 0 ok, 1 workflow failed/cancelled, 2 bad input, 3 director unreachable or store failure.");
        root.Options.Add(director);
        root.Options.Add(CommonOptions.KeyOption);
        root.Options.Add(CommonOptions.CaOption);
        root.Options.Add(CommonOptions.ConfigOption);
        root.Options.Add(CommonOptions.TimeoutOption);
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(BenchCommand.FleetLoadCommand());
        root.Subcommands.Add(ChaosCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(ModelCommand.Create());
        root.Subcommands.Add(DirectorCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create(director));
        root.Subcommands.Add(ClientCommands.Submit(director));
        root.Subcommands.Add(ClientCommands.Status(director));
        root.Subcommands.Add(ExplainCommand.Create(director));
        root.Subcommands.Add(ClientCommands.Probes(director));
        root.Subcommands.Add(ClientCommands.Cancel(director));
        root.Subcommands.Add(RecoveryCommands.Resubmit(director));
        root.Subcommands.Add(RecoveryCommands.Incidents(director));
        root.Subcommands.Add(SecurityCommands.Token());
        root.Subcommands.Add(SecurityCommands.Key());
        root.Subcommands.Add(SecurityCommands.Audit());
        return root;
    }
}
