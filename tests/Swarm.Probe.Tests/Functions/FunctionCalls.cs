using System.Text;
using Swarm.Probe.Functions;

namespace Swarm.Probe.Tests.Functions;

/// <summary>Builds <see cref="FunctionContext"/>s and invokes handlers.</summary>
internal static class FunctionCalls
{
    public static FunctionContext Context(string input, IReadOnlyDictionary<string, byte[]>? parents = null) =>
        Context(Encoding.UTF8.GetBytes(input), parents);

    public static FunctionContext Context(byte[] input, IReadOnlyDictionary<string, byte[]>? parents = null) =>
        new(input, parents ?? new Dictionary<string, byte[]>(), null, "t1");

    public static async Task<string> InvokeTextAsync(ITaskFunction function, string input, IReadOnlyDictionary<string, byte[]>? parents = null) =>
        Encoding.UTF8.GetString(await function.InvokeAsync(Context(input, parents), TestContext.Current.CancellationToken));

    public static Dictionary<string, byte[]> Parents(params (string Id, string Text)[] parents) =>
        parents.ToDictionary(p => p.Id, p => Encoding.UTF8.GetBytes(p.Text), StringComparer.Ordinal);
}
