using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Swarm.Director.Connections;
using Swarm.Director.Runtime;
using Swarm.Director.Services;
using Swarm.Director.Security;
using Swarm.Storage;
using Swarm.Storage.Security;

namespace Swarm.Director.Hosting;

/// <summary>Registration of the director's parts.</summary>
public static class DirectorServiceCollectionExtensions
{
    /// <summary>Adds the director: options (validated at start), the SQLite store, the engine loop and the gRPC services.</summary>
    public static IServiceCollection AddSwarmDirector(this IServiceCollection services)
    {
        services.AddOptions<DirectorOptions>()
            .BindConfiguration(DirectorOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DirectorOptions>, DirectorOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IDirectorStore>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DirectorOptions>>().Value;
            Directory.CreateDirectory(Path.GetDirectoryName(o.DatabasePath)!);
            return new SqliteDirectorStore(o.DatabasePath, o.SynchronousFull);
        });
        services.AddSingleton(sp => new Storage.Blobs.BlobStore(BlobStoreOptionsOf(sp.GetRequiredService<IOptions<DirectorOptions>>().Value)));
        services.TryAddSingleton<Core.Clearing.IClearingSolver>(sp => new Optimization.OptimalClearingSolver(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<DirectorOptions>>().Value;
            // Its own private folder: SQLite's -wal and -shm files next to it get the process umask, not the file's mode.
            CreateData(o.DataDirectory);
            var dir = Path.Combine(o.DataDirectory, "security");
            Contracts.Security.PrivateFile.EnsurePrivateDirectory(dir);
            return new SqliteSecurityStore(Path.Combine(dir, "security.db"));
        });
        services.AddSingleton(sp => CertificateAuthority.LoadOrCreate(sp.GetRequiredService<IOptions<DirectorOptions>>().Value.DataDirectory,
            ServerNames(sp.GetRequiredService<IOptions<DirectorOptions>>().Value), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Credentials>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<AuthInterceptor>();
        services.AddSingleton<ProbeConnectionRegistry>();
        services.AddSingleton<WorkflowWatchers>();
        services.AddSingleton<DirectorLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<DirectorLoop>());
        services.AddSingleton<BlobCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<BlobCollector>());
        services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            o.Interceptors.Add<AuthInterceptor>();
        }).AddServiceOptions<BlobApiService>(o => o.MaxReceiveMessageSize = o.MaxSendMessageSize = BlobApiService.MaxMessageBytes);
        services.AddOptions<Grpc.AspNetCore.Server.GrpcServiceOptions>().Configure<IOptions<DirectorOptions>>((g, d) =>
        {
            g.MaxReceiveMessageSize = d.Value.MaxMessageBytes;
            g.MaxSendMessageSize = d.Value.MaxMessageBytes;
        });
        return services;
    }

    /// <summary>Maps the director's gRPC services.</summary>
    public static IEndpointRouteBuilder MapSwarmDirector(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ProbeStreamService>();
        endpoints.MapGrpcService<SwarmApiService>();
        endpoints.MapGrpcService<BlobApiService>();
        endpoints.MapGrpcService<AdminApiService>();
        endpoints.MapGrpcService<EnrolmentApiService>();
        return endpoints;
    }

    /// <summary>Creates a new data directory readable by its owner only (an existing one is left as the operator made it).</summary>
    private static void CreateData(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The names the TLS certificate is valid for: loopback, this machine, the listening host and the configured extras.</summary>
    public static IReadOnlyList<string> ServerNames(DirectorOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var names = new List<string> { "localhost", "127.0.0.1", "::1", Environment.MachineName };
        if (o.Host is not ("0.0.0.0" or "::" or "*" or ""))
        {
            names.Add(o.Host);
        }

        names.AddRange(o.TlsNames.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return names;
    }

    private static Storage.Blobs.BlobStoreOptions BlobStoreOptionsOf(DirectorOptions o) => new()
    {
        Root = Path.Combine(o.DataDirectory, "blobs"),
        MaxBlobBytes = o.MaxBlobBytes,
        MaxBlobBytesSetting = $"{DirectorOptions.SectionName}:{nameof(DirectorOptions.MaxBlobBytes)}",
    };
}
