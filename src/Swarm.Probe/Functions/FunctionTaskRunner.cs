using System.Globalization;
using Swarm.Core.Model;
using Swarm.Probe.Execution;

namespace Swarm.Probe.Functions;

/// <summary>
/// Runs <see cref="TaskKind.Function"/> micro-tasks by calling a registered <see cref="ITaskFunction"/> on the
/// thread pool, with the spec's timeout. A handler that ignores its token is abandoned (left to finish in the
/// background) when the timeout or cancellation fires, so the attempt still ends on time.
/// </summary>
/// <param name="registry">Where handlers are looked up.</param>
/// <param name="timeProvider">Clock for timeouts and runtime measurement.</param>
public sealed class FunctionTaskRunner(FunctionRegistry registry, TimeProvider timeProvider)
{
    private readonly FunctionRegistry _registry = registry ?? throw new ArgumentNullException(nameof(registry));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>Runs one attempt and reports how it ended; never throws for task failures.</summary>
    /// <exception cref="ArgumentException">The spec is not a function task.</exception>
    public async Task<TaskOutcome> RunAsync(TaskContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var spec = ctx.Spec;
        if (spec.Kind != TaskKind.Function)
        {
            throw new ArgumentException($"task '{ctx.TaskId}' is a {spec.Kind} task, not a function task", nameof(ctx));
        }

        if (ct.IsCancellationRequested)
        {
            return TaskOutcome.Failed(TaskOutcome.CancelledMessage);
        }

        if (!_registry.TryGet(spec.Function, out var function))
        {
            var known = _registry.Names;
            return TaskOutcome.Failed(
                $"unknown function '{spec.Function}' (this probe has: {(known.Count == 0 ? "none" : string.Join(", ", known))})");
        }

        if (!double.IsFinite(spec.TimeoutSeconds) || spec.TimeoutSeconds < 0)
        {
            return TaskOutcome.Failed(
                string.Create(CultureInfo.InvariantCulture, $"timeout {spec.TimeoutSeconds} s is not a finite number >= 0"));
        }

        // Created before anything awaits, so the timeout clock starts when the attempt does.
        using var timeoutCts = spec.TimeoutSeconds > 0 && spec.TimeoutSeconds < uint.MaxValue / 1000.0 - 1
            ? new CancellationTokenSource(TimeSpan.FromSeconds(spec.TimeoutSeconds), _timeProvider)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeoutCts.Token);
        var token = linked.Token;
        var start = _timeProvider.GetTimestamp();
        var fctx = new FunctionContext(spec.Input, ctx.ParentOutputs, ctx.Progress, ctx.TaskId);
        try
        {
            var output = await Task.Run(() => function.InvokeAsync(fctx, token), token).WaitAsync(token).ConfigureAwait(false);
            return TaskOutcome.Succeeded(output ?? [], Elapsed(start));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var reason = ct.IsCancellationRequested
                ? TaskOutcome.CancelledMessage
                : TaskOutcome.TimedOutMessage(spec.TimeoutSeconds);
            return TaskOutcome.Failed(reason, Elapsed(start));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return TaskOutcome.Failed(ex.Message, Elapsed(start));
        }
    }

    private double Elapsed(long start) => _timeProvider.GetElapsedTime(start).TotalSeconds;
}
