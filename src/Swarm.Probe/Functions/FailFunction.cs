using System.Text;

namespace Swarm.Probe.Functions;

/// <summary><c>fail</c>: always fails; the input text (UTF-8) is the error message.</summary>
public sealed class FailFunction : ITaskFunction
{
    /// <summary>The registered name.</summary>
    public const string FunctionName = "fail";

    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    public Task<byte[]> InvokeAsync(FunctionContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var message = Encoding.UTF8.GetString(ctx.Input);
        throw new InvalidOperationException(message.Length > 0 ? message : "fail was called without a message");
    }
}
