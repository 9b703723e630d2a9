using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Swarm.Contracts.Security;

/// <summary>
/// Trust in one director's own CA, the way probes and clients pin it: a peer certificate is good only if it chains to
/// that CA (nothing from the machine's trust store counts), is in its validity period and carries the expected usage.
/// Built on .NET's X509Chain with a custom root; no hand-written crypto.
/// </summary>
public static class PinnedTrust
{
    /// <summary>The TLS server usage (1.3.6.1.5.5.7.3.1).</summary>
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    /// <summary>The TLS client usage (1.3.6.1.5.5.7.3.2).</summary>
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>Lower-case hex SHA-256 of a certificate's DER bytes: what tokens and configuration files pin.</summary>
    public static string Fingerprint(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>Whether <paramref name="leaf"/> chains to <paramref name="root"/> alone, now, for <paramref name="usageOid"/>.</summary>
    public static bool Validates(X509Certificate2 root, X509Certificate2 leaf, string usageOid)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(leaf);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // revocation is the director's binding table
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usageOid));
        chain.ChainPolicy.DisableCertificateDownloads = true;
        return chain.Build(leaf) && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData);
    }

    /// <summary>
    /// An HTTP handler for a gRPC channel to the director: TLS validated against <paramref name="ca"/> when given (else
    /// the machine's trust store, for directors with a public certificate), presenting <paramref name="clientCertificate"/>
    /// when given (probes).
    /// </summary>
    public static SocketsHttpHandler Handler(X509Certificate2? ca, X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = false,
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (ca is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && Validates(ca, cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData()), ServerAuth);
        }

        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        return handler;
    }

    /// <summary>Accepts any server certificate: only for fetching a CA certificate that is then checked against a pinned hash.</summary>
    public static SocketsHttpHandler UnverifiedHandler()
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
#pragma warning disable CA5359 // The certificate fetched over this channel is checked against the token's SHA-256 before anything is trusted.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        return handler;
    }
}
