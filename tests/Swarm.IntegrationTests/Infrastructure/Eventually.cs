namespace Swarm.IntegrationTests.Infrastructure;

/// <summary>Waits for a condition with a deadline (polling a real state, never sleeping in place of a check).</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : class
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        Exception? last = null;
        while (TimeProvider.System.GetTimestamp() < deadline)
        {
            try
            {
                var v = await probe();
                if (v is not null)
                {
                    return v;
                }
            }
            catch (Grpc.Core.RpcException ex)
            {
                last = ex;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }

        throw new TimeoutException($"timed out after {timeout.TotalSeconds} s waiting for {what}" + (last is null ? "" : $" (last error: {last.Message})"));
    }

    public static Task WaitAsync(Func<Task<bool>> probe, TimeSpan timeout, string what) =>
        WaitAsync<object>(async () => await probe() ? new object() : null, timeout, what);
}
