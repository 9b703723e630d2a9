using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Contracts.Mapping;
using Award = Swarm.Contracts.V1.Award;
using DispatchTask = Swarm.Contracts.V1.DispatchTask;
using ProbeMessage = Swarm.Contracts.V1.ProbeMessage;
using Swarm.Core.Engine;
using Swarm.Core.Model;
using Swarm.Probe.Agent;
using Swarm.Probe.Execution;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Agent;

public sealed class LocalAttemptsTests : IDisposable
{
    private static readonly ResourceVector Capacity = new(2000, 4096);
    private readonly TempDirectory _work = new();
    private readonly List<ProbeMessage> _sent = [];

    public void Dispose() => _work.Dispose();

    private LocalAttempts CreateSut(ProbeLedger? ledger = null)
    {
        var registry = new FunctionRegistry();
        BuiltinFunctions.Register(registry, TimeProvider.System);
        var runner = new AttemptRunner(new ExecTaskRunner(TimeProvider.System), new FunctionTaskRunner(registry, TimeProvider.System), null, 1 << 20);
        return new LocalAttempts(runner, TimeProvider.System, NullLogger.Instance, _work.Path, m =>
        {
            lock (_sent)
            {
                _sent.Add(m);
            }
        })
        {
            Ledger = ledger,
        };
    }

    private static Award AwardOf(params (string Task, long CpuMillis)[] items) => ProtoMapper.ToProto(new DirectorCommand.SendAward(
        "p1", "aw-1", 1, [.. items.Select(i => new AwardItem(new AttemptRef("w", i.Task, 1), 0, new ResourceVector(i.CpuMillis, 64), 0.01))]));

    private static DispatchTask Echo(string task, string input) => ProtoMapper.ToProto(new DirectorCommand.Dispatch("p1",
    [
        new DispatchItem(new AttemptRef("w", task, 1), new MicroTaskSpec { Id = task, Kind = TaskKind.Function, Function = "echo", Input = System.Text.Encoding.UTF8.GetBytes(input), Resources = new ResourceVector(1000, 64) }, new Dictionary<string, byte[]>()),
    ])).Tasks[0];

    [Fact]
    public void Accept_MoreThanIsFree_TakesWhatFitsAndDeclinesTheRest()
    {
        var sut = CreateSut();

        var reply = sut.Accept(AwardOf(("a", 1500), ("b", 1000), ("c", 500)), Capacity, accepting: true, "");

        Assert.Equal(["a", "c"], reply.Accepted.Select(a => a.TaskId));
        Assert.Equal(["b"], reply.Declined.Select(a => a.TaskId));
        Assert.Equal("capacity no longer free", reply.DeclineReason);
        Assert.Equal(0, sut.Free(Capacity).CpuMillis);
        Assert.Equal(2000, sut.CpuMillisHeld);
    }

    [Fact]
    public void Accept_WhileNotAccepting_DeclinesEverythingWithTheOwnersReason()
    {
        var sut = CreateSut();

        var reply = sut.Accept(AwardOf(("a", 500)), Capacity, accepting: false, "draining: owner is back");

        Assert.Empty(reply.Accepted);
        Assert.Equal("draining: owner is back", reply.DeclineReason);
        Assert.Equal(0, sut.Count);
    }

    [Fact]
    public void Accept_TheSameAttemptTwice_SecondDeclined()
    {
        var sut = CreateSut();
        sut.Accept(AwardOf(("a", 500)), Capacity, accepting: true, "");

        var again = sut.Accept(AwardOf(("a", 500)), Capacity, accepting: true, "");

        Assert.Single(again.Declined);
        Assert.Equal(1, sut.Count);
    }

    [Fact]
    public void BeginSession_AcceptedButNeverDispatched_ForgottenAndItsCapacityFreed()
    {
        var sut = CreateSut();
        sut.Accept(AwardOf(("a", 1000)), Capacity, accepting: true, "");

        var stillRunning = sut.BeginSession();

        Assert.Empty(stillRunning);
        Assert.Equal(Capacity.CpuMillis, sut.Free(Capacity).CpuMillis);
    }

    [Fact]
    public async Task Start_AcceptedTask_ResultSentAndKeptUntilAcknowledged()
    {
        var sut = CreateSut();
        var ct = TestContext.Current.CancellationToken;
        sut.Accept(AwardOf(("a", 1000)), Capacity, accepting: true, "");
        var outbox = Channel.CreateUnbounded<ProbeMessage>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = sut.SendResultsAsync(outbox.Writer, stop.Token);

        sut.Start(Echo("a", "42"));
        var message = await outbox.Reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
        var kept = sut.Unacknowledged();
        sut.Acknowledge([new AttemptRef("w", "a", 1)]);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        var result = Assert.Single(message.Results.Results);
        Assert.True(result.Success, result.Error);
        Assert.Equal("42", result.Output.ToStringUtf8());
        Assert.Single(kept);
        Assert.Empty(sut.Unacknowledged());
        Assert.Equal(0, sut.Count);
    }

    [Fact]
    public async Task Start_FinishedTask_IsInTheOwnersLedgerBeforeItsResultLeaves()
    {
        var path = Path.Combine(_work.Path, "owner", "ledger.jsonl");
        using var ledger = new ProbeLedger(path);
        var sut = CreateSut(ledger);
        var ct = TestContext.Current.CancellationToken;
        sut.Accept(AwardOf(("a", 1000)), Capacity, accepting: true, "");
        var outbox = Channel.CreateUnbounded<ProbeMessage>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = sut.SendResultsAsync(outbox.Writer, stop.Token);

        sut.Start(Echo("a", "42"));
        await outbox.Reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        var e = Assert.Single(ProbeLedger.Read(path));
        Assert.Equal(("w", "a", 1, "function", "echo", "ok"), (e.Workflow, e.Task, e.Attempt, e.Kind, e.What, e.Outcome));
        Assert.Equal(ProbeLedger.Hash("42"u8), e.OutputSha256);
        Assert.Equal((1000L, 64L), (e.CpuMillis, e.MemoryMb));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Start_NotAcceptedHere_Ignored()
    {
        var sut = CreateSut();

        sut.Start(Echo("stranger", "1"));

        Assert.Equal(0, sut.Count);
        Assert.Empty(sut.Unacknowledged());
    }
}
