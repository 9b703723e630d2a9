using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Swarm.Director.Hosting;

/// <summary>Builds the director web application (Kestrel, h2c) from configuration.</summary>
public static class DirectorApp
{
    /// <summary>Builds the app. <paramref name="settings"/> are "Director:Key" overrides (from the command line).</summary>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> settings, LogLevel minimumLevel = LogLevel.Information)
    {
        // appsettings.json is read once: watching it for changes puts a recursive inotify watch on the working
        // directory, and every task folder a local probe creates and deletes under it then costs the director a rescan.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Configuration.AddEnvironmentVariables("SWARM_");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.None);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Services.AddSwarmDirector();
        builder.WebHost.ConfigureKestrel((ctx, k) =>
        {
            var o = ctx.Configuration.GetSection(DirectorOptions.SectionName).Get<DirectorOptions>() ?? new DirectorOptions();
            var address = o.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(o.Host, out var ip) ? ip : IPAddress.Loopback;
            // Out-of-range settings are reported by options validation at start; do not throw from here.
            if (o.Port is >= 0 and <= 65535)
            {
                k.Listen(address, o.Port, l =>
                {
                    l.Protocols = HttpProtocols.Http2;
                    if (!o.InsecurePlaintext)
                    {
                        var ca = k.ApplicationServices.GetRequiredService<Security.CertificateAuthority>();
                        l.UseHttps(new HttpsConnectionAdapterOptions
                        {
                            ServerCertificate = ca.ServerCertificate,
                            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                            // Probes present the certificate they enrolled for; API-key clients present none.
                            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                            ClientCertificateValidation = (cert, _, _) => ca.ValidatesClient(cert),
                            HandshakeTimeout = TimeSpan.FromSeconds(10),
                        });
                    }
                });
            }

            k.Limits.Http2.MaxStreamsPerConnection = 1024;
        });
        var app = builder.Build();
        app.MapSwarmDirector();
        return app;
    }

    /// <summary>
    /// Writes (or refreshes) <c>admin.json</c> in the data directory: this director's address, its CA, and an
    /// administrator key, created on first start (the file is the key's only copy; delete it and the next start makes
    /// a new key, the old one staying valid until revoked). The local CLI finds it with no set-up. Returns its path,
    /// or null when security is off.
    /// </summary>
    public static string? WriteAdminConnection(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var o = Options(app);
        if (o.InsecurePlaintext)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(o.DataDirectory, "admin.json"));
        var existing = File.Exists(path) ? Contracts.Security.ConnectionFile.Read(path) : null;
        var key = existing?.Key ?? "";
        var credentials = app.Services.GetRequiredService<Security.Credentials>();
        if (key.Length == 0 || credentials.Authenticate(key) is not { } p || !p.Has(Security.Roles.Admin))
        {
            key = credentials.CreateKey("default", ["admin"], "bootstrap administrator (data directory admin.json)").Key;
        }

        new Contracts.Security.ConnectionFile
        {
            Director = ListeningAddress(app),
            Key = key,
            Ca = Path.Combine("tls", "ca.crt"),
        }.Write(path);
        return path;
    }

    /// <summary>The address the app listens on, once started (resolves port 0).</summary>
    public static string ListeningAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var server = app.Services.GetRequiredService<IServer>();
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "";
        return address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)
            .Replace("://localhost", "://127.0.0.1", StringComparison.Ordinal);
    }

    /// <summary>The validated options (throws <see cref="OptionsValidationException"/> naming every problem).</summary>
    public static DirectorOptions Options(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IOptions<DirectorOptions>>().Value;
    }
}
