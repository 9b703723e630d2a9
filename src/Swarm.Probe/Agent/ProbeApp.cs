using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Swarm.Core.Bidding;
using Swarm.Probe.Functions;
using Swarm.Probe.Policy;
using Swarm.Probe.Sensing;

namespace Swarm.Probe.Agent;

/// <summary>Builds a probe host from "Probe:Key" settings.</summary>
public static class ProbeApp
{
    /// <summary>Builds the host; bad settings or a bad policy file throw with every problem named.</summary>
    public static IHost Build(IReadOnlyDictionary<string, string?> settings, LogLevel minimumLevel = LogLevel.Information)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddEnvironmentVariables("SWARM_");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Services.AddSwarmProbe();
        return builder.Build();
    }

    /// <summary>Adds the probe agent and its parts.</summary>
    public static IServiceCollection AddSwarmProbe(this IServiceCollection services)
    {
        services.AddOptions<ProbeAgentOptions>()
            .BindConfiguration(ProbeAgentOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.DirectorUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https", "Probe:DirectorUrl must be an absolute http:// or https:// URL")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProbeAgentOptions>, ProbeAgentOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ProbeAgentOptions>>().Value;
            return string.IsNullOrEmpty(o.PolicyFile) ? new OwnerPolicy() : OwnerPolicyLoader.Load(o.PolicyFile);
        });
        services.AddSingleton<ResourceSensor>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ProbeAgentOptions>>().Value;
            var registry = new FunctionRegistry();
            BuiltinFunctions.Register(registry, sp.GetRequiredService<TimeProvider>());
            foreach (var path in o.FunctionAssemblies.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                registry.LoadAssembly(path);
            }

            return registry;
        });
        services.AddSingleton<ProbeAgent>();
        services.AddHostedService(sp => sp.GetRequiredService<ProbeAgent>());
        return services;
    }
}
