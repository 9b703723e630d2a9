using FsCheck;
using FsCheck.Fluent;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Core.Workflow;

namespace Swarm.Storage.Tests;

/// <summary>
/// Generates <see cref="CommandScript"/>s: workflows w0 and w1 are accepted first; later batches mix attempts,
/// results, failures, finishes and accepts over w0 to w3, plus commands that must be refused (unknown workflow,
/// task outside the spec, duplicate accept) so that rolled-back batches are compared too.
/// </summary>
public static class CommandScriptArbitrary
{
    private static readonly string[] WorkflowIds = ["w0", "w1", "w2", "w3"];
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string BlobA = new('a', 64);
    private static readonly string BlobB = new('b', 64);

    public static Arbitrary<CommandScript> Scripts() => Arb.From(ScriptGen());

    private static Gen<CommandScript> ScriptGen() =>
        from first in Gen.Constant<IReadOnlyList<DirectorCommand>>([Accept("w0", Start), Accept("w1", Start.AddSeconds(1))])
        from count in Gen.Choose(0, 20)
        from batches in BatchGen().ListOf(count)
        select new CommandScript([first, .. batches]);

    private static Gen<IReadOnlyList<DirectorCommand>> BatchGen() =>
        from count in Gen.Choose(1, 4)
        from commands in CommandGen().ListOf(count)
        select (IReadOnlyList<DirectorCommand>)[.. commands];

    private static Gen<DirectorCommand> CommandGen() => Gen.Frequency(
        (1, AcceptGen()),
        (5, StartedGen()),
        (4, CommittedGen()),
        (4, FailedGen()),
        (1, FinishedGen()),
        (2, CheckpointGen()),
        (1, ExtendedGen()),
        (1, Gen.Elements<DirectorCommand>(new DirectorCommand.WorkflowChanged("w0"), new DirectorCommand.SendDrain("p1", "drain", DateTimeOffset.UnixEpoch))));

    private static Gen<DirectorCommand> AcceptGen() =>
        from workflowId in Gen.Frequency((4, Gen.Constant("w2")), (1, Gen.Elements(WorkflowIds)))
        from at in TimeGen()
        from rescueOf in Gen.Elements("", "", "w0")
        select (DirectorCommand)(Accept(workflowId, at) with { RescueOf = rescueOf });

    private static Gen<DirectorCommand> StartedGen() =>
        from attempt in AttemptGen()
        from probe in ProbeGen()
        from price in NumberGen()
        from explanation in TextGen()
        select (DirectorCommand)new DirectorCommand.AttemptStarted(attempt, probe, price, explanation);

    private static Gen<DirectorCommand> CommittedGen() =>
        from attempt in AttemptGen()
        from probe in ProbeGen()
        from price in NumberGen()
        from cost in NumberGen()
        from success in Gen.Elements(true, false)
        from exitCode in Gen.Choose(-1, 3)
        from output in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()
        from stderr in TextGen()
        from error in TextGen()
        from runtime in NumberGen()
        from outputBlob in Gen.Elements("", "", BlobA)
        from outputBytes in Gen.Elements(0L, 3L, 50_000_000_000L)
        select (DirectorCommand)new DirectorCommand.ResultCommitted(
            attempt,
            probe,
            new TaskResult
            {
                Attempt = attempt, Success = success, ExitCode = exitCode, Output = output, Stderr = stderr, Error = error, RuntimeSeconds = runtime,
                OutputBlob = outputBlob, OutputBytes = outputBytes,
            },
            price,
            cost);

    private static Gen<DirectorCommand> FailedGen() =>
        from attempt in AttemptGen()
        from probe in ProbeGen()
        from failures in Gen.Choose(0, 5)
        from reason in TextGen()
        from final in Gen.Elements(true, false)
        select (DirectorCommand)new DirectorCommand.AttemptFailed(attempt, probe, failures, reason, final);

    private static Gen<DirectorCommand> FinishedGen() =>
        from workflowId in Gen.Frequency((6, Gen.Elements("w0", "w1")), (2, Gen.Constant("w2")), (1, Gen.Constant("w3")))
        from state in Gen.Elements(WorkflowState.Succeeded, WorkflowState.Failed, WorkflowState.Cancelled)
        from reason in TextGen()
        from at in TimeGen()
        select (DirectorCommand)new DirectorCommand.WorkflowFinished(workflowId, state, reason, at);

    /// <summary>A checkpoint; now and then its blob id is invalid, which both stores must refuse alike.</summary>
    private static Gen<DirectorCommand> CheckpointGen() =>
        from attempt in AttemptGen()
        from probe in ProbeGen()
        from blob in Gen.Frequency((6, Gen.Elements(BlobA, BlobB)), (1, Gen.Constant("not-a-blob")))
        from bytes in Gen.Elements(0L, 4096L)
        select (DirectorCommand)new DirectorCommand.CheckpointSaved(attempt, probe, blob, bytes);

    /// <summary>A workflow grown by spawned tasks "s1" (and "s2"), maybe for a workflow that is not stored.</summary>
    private static Gen<DirectorCommand> ExtendedGen() =>
        from workflowId in Gen.Frequency((6, Gen.Elements("w0", "w1")), (2, Gen.Constant("w2")), (1, Gen.Constant("w3")))
        from spawned in Gen.Elements<string[]>(["s1"], ["s1", "s2"])
        select (DirectorCommand)new DirectorCommand.WorkflowExtended(
            workflowId, StoreTestData.Spec(["c", "a", "b", .. spawned]) with { Tenant = workflowId }, spawned.Length);

    private static Gen<AttemptRef> AttemptGen() =>
        from workflowId in Gen.Frequency((30, Gen.Elements("w0", "w1")), (6, Gen.Constant("w2")), (1, Gen.Constant("w3")))
        from taskId in Gen.Frequency((60, Gen.Elements("a", "b", "c")), (6, Gen.Elements("s1", "s2")), (1, Gen.Constant("not-in-spec")))
        from attempt in Gen.Choose(1, 4)
        select new AttemptRef(workflowId, taskId, attempt);

    private static Gen<string> ProbeGen() => Gen.Elements("p1", "probe-2", "");

    private static Gen<string> TextGen() =>
        Gen.Elements("", "exit code 1", "timeout after 'x'; DROP TABLE tasks;--", "ünïcödé ✓ \u0000 tail", "line1\nline2");

    private static Gen<double> NumberGen() => Gen.Elements(0.0, 0.1, 0.1 + 0.2, 1e-300, 12345.678, 5e-324, 1.7976931348623157e308 / 4);

    private static Gen<DateTimeOffset> TimeGen() =>
        from seconds in Gen.Choose(0, 1_000_000)
        from ticks in Gen.Choose(0, 9_999_999)
        from offsetMinutes in Gen.Elements(0, 120, -330, 840)
        select Start.AddSeconds(seconds).AddTicks(ticks).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    private static DirectorCommand.WorkflowAccepted Accept(string workflowId, DateTimeOffset at) =>
        new(workflowId, StoreTestData.Spec("c", "a", "b") with { Tenant = workflowId }, at);
}
