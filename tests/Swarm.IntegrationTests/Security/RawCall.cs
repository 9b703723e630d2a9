using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;

namespace Swarm.IntegrationTests.Security;

/// <summary>Calls any method of the protos with raw bytes as its request, whatever its kind, and returns the status it ended with.</summary>
internal static class RawCall
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static async Task<StatusCode> CallAsync(GrpcChannel channel, MethodDescriptor m, byte[] payload, TimeSpan? timeout = null) =>
        (await CallWithDetailAsync(channel, m, payload, timeout)).Code;

    /// <summary>As <see cref="CallAsync"/>, with the status detail.</summary>
    public static async Task<(StatusCode Code, string Detail)> CallWithDetailAsync(GrpcChannel channel, MethodDescriptor m, byte[] payload, TimeSpan? timeout = null)
    {
        var type = (m.IsClientStreaming, m.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var method = new Method<byte[], byte[]>(type, m.Service.FullName, m.Name, Bytes, Bytes);
        var invoker = channel.CreateCallInvoker();
        var options = new CallOptions(deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20)));
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, payload);
                    break;
                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, payload))
                    {
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        await TryWriteAsync(call.RequestStream, payload);
                        await call.ResponseAsync;
                    }

                    break;
                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, options))
                    {
                        await TryWriteAsync(call.RequestStream, payload);
                        while (await call.ResponseStream.MoveNext(CancellationToken.None))
                        {
                        }
                    }

                    break;
            }

            return (StatusCode.OK, "");
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
    }

    private static async Task TryWriteAsync(IClientStreamWriter<byte[]> writer, byte[] payload)
    {
        try
        {
            await writer.WriteAsync(payload);
            await writer.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server ended the call first; its status is read from the response.
        }
        catch (InvalidOperationException)
        {
            // Same: the call is complete.
        }
    }
}
