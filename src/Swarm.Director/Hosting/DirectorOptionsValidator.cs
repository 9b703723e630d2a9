using Microsoft.Extensions.Options;

namespace Swarm.Director.Hosting;

/// <summary>Cross-field rules of <see cref="DirectorOptions"/>; collects every failure.</summary>
public sealed class DirectorOptionsValidator : IValidateOptions<DirectorOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DirectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.ProbeTimeoutSeconds < 2 * options.HeartbeatIntervalSeconds)
        {
            errors.Add($"Director:ProbeTimeoutSeconds ({options.ProbeTimeoutSeconds}) must be at least twice Director:HeartbeatIntervalSeconds ({options.HeartbeatIntervalSeconds})");
        }

        if (options.InsecurePlaintext && !(options.Host is "localhost" || (System.Net.IPAddress.TryParse(options.Host, out var ip) && System.Net.IPAddress.IsLoopback(ip))))
        {
            errors.Add($"Director:InsecurePlaintext needs a loopback Director:Host (got '{options.Host}'): without TLS and credentials anyone who can reach the port could run code on every probe");
        }

        if (options.MaxTaskOutputBytes > options.MaxMessageBytes / 2)
        {
            errors.Add($"Director:MaxTaskOutputBytes ({options.MaxTaskOutputBytes}) must be at most half of Director:MaxMessageBytes ({options.MaxMessageBytes})");
        }

        if (!(options.PhiSuspect > 0) || !(options.PhiDead > options.PhiSuspect))
        {
            errors.Add($"Director:PhiSuspect ({options.PhiSuspect}) must be positive and below Director:PhiDead ({options.PhiDead})");
        }

        if (!(options.DrainGraceSeconds >= 0) || options.DrainGraceSeconds > 86_400)
        {
            errors.Add($"Director:DrainGraceSeconds ({options.DrainGraceSeconds}) must be between 0 and 86400");
        }

        if (!(options.StragglerFactor == 0 || options.StragglerFactor >= 1) || !double.IsFinite(options.StragglerFactor))
        {
            errors.Add($"Director:StragglerFactor ({options.StragglerFactor}) must be 0 (off) or at least 1");
        }

        if (!(options.BlobGcIntervalSeconds >= 0) || !(options.BlobGcGraceSeconds >= 0))
        {
            errors.Add($"Director:BlobGcIntervalSeconds ({options.BlobGcIntervalSeconds}) and Director:BlobGcGraceSeconds ({options.BlobGcGraceSeconds}) must not be negative");
        }

        if (options.PoisonProbes < 1)
        {
            errors.Add($"Director:PoisonProbes ({options.PoisonProbes}) must be at least 1");
        }

        if (options.MaxBlobBytes <= 0)
        {
            errors.Add($"Director:MaxBlobBytes ({options.MaxBlobBytes}) must be positive");
        }

        if (!System.Net.IPAddress.TryParse(options.Host, out _) && options.Host != "localhost")
        {
            errors.Add($"Director:Host '{options.Host}' is not an IP address or 'localhost'");
        }

        if (options.DatabaseFile.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || options.DatabaseFile.Contains('/', StringComparison.Ordinal))
        {
            errors.Add($"Director:DatabaseFile '{options.DatabaseFile}' must be a plain file name");
        }

        if (options.ParsedPaymentRule is null)
        {
            errors.Add($"Director:PaymentRule '{options.PaymentRule}' is not vcg, uniform or pay-as-bid");
        }

        foreach (var (tenant, t) in options.Tenants)
        {
            if (!double.IsFinite(t.Weight) || t.Weight <= 0 || t.Weight > 1e6)
            {
                errors.Add($"Director:Tenants:{tenant}:Weight ({t.Weight}) must be above 0 and at most 1000000");
            }

            if (!double.IsFinite(t.Budget) || t.Budget < 0)
            {
                errors.Add($"Director:Tenants:{tenant}:Budget ({t.Budget}) must be a finite number >= 0");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
