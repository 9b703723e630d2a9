using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Swarm.Contracts.Security;

namespace Swarm.Director.Security;

/// <summary>
/// The director's own certificate authority, made with .NET's certificate APIs: a self-signed ECDSA P-256 root (ten
/// years) kept in the data directory (the key readable by its owner only), the director's TLS server certificate
/// (loopback, the listening host and any configured names), and the client certificates probes receive when they enrol.
/// Created on first start, reused after; the server certificate is re-issued when its names change or it nears expiry.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(397);
    private static readonly TimeSpan ProbeLifetime = TimeSpan.FromDays(365);

    private readonly X509Certificate2 _ca;

    private CertificateAuthority(X509Certificate2 ca, X509Certificate2 server)
    {
        _ca = ca;
        ServerCertificate = server;
        Certificate = X509CertificateLoader.LoadCertificate(ca.RawData);
        Fingerprint = PinnedTrust.Fingerprint(ca);
    }

    /// <summary>The CA certificate without its key (what peers pin).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Lower-case hex SHA-256 of the CA certificate.</summary>
    public string Fingerprint { get; }

    /// <summary>The director's TLS certificate, with its key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Path of the CA certificate (PEM) inside a data directory.</summary>
    public static string CaPath(string directory) => Path.Combine(directory, "tls", "ca.crt");

    /// <summary>Loads the CA from <paramref name="directory"/>/tls, creating it (and the server certificate) when missing.</summary>
    public static CertificateAuthority LoadOrCreate(string directory, IEnumerable<string> serverNames, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var tls = Path.Combine(directory, "tls");
        PrivateFile.EnsurePrivateDirectory(tls);
        var now = time.GetUtcNow();
        var caCert = CaPath(directory);
        var caKey = Path.Combine(tls, "ca.key");
        if (!File.Exists(caCert) || !File.Exists(caKey))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var req = new CertificateRequest("CN=Swarm director CA, O=Swarm", key, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
            using var created = req.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
            PrivateFile.Write(caKey, key.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(caCert, created.ExportCertificatePem());
        }

        var ca = X509Certificate2.CreateFromPemFile(caCert, caKey);
        var names = serverNames.Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var serverCert = Path.Combine(tls, "server.crt");
        var serverKey = Path.Combine(tls, "server.key");
        var namesFile = Path.Combine(tls, "server.names");
        var wanted = string.Join('\n', names);
        X509Certificate2? server = null;
        if (File.Exists(serverCert) && File.Exists(serverKey) && File.Exists(namesFile) && File.ReadAllText(namesFile) == wanted)
        {
            server = X509Certificate2.CreateFromPemFile(serverCert, serverKey);
            if (server.NotAfter.ToUniversalTime() < now.UtcDateTime.AddDays(30) || !PinnedTrust.Validates(ca, server, PinnedTrust.ServerAuth))
            {
                server.Dispose();
                server = null;
            }
        }

        if (server is null)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var req = new CertificateRequest("CN=swarm-director", key, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(PinnedTrust.ServerAuth)], false));
            req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            var san = new SubjectAlternativeNameBuilder();
            foreach (var n in names)
            {
                if (IPAddress.TryParse(n, out var ip))
                {
                    san.AddIpAddress(ip);
                }
                else
                {
                    san.AddDnsName(n);
                }
            }

            req.CertificateExtensions.Add(san.Build());
            using var issued = req.Create(ca, now.AddMinutes(-5), Min(now + ServerLifetime, ca.NotAfter), Serial());
            PrivateFile.Write(serverKey, key.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(serverCert, issued.ExportCertificatePem() + "\n");
            File.WriteAllText(namesFile, wanted);
            server = X509Certificate2.CreateFromPemFile(serverCert, serverKey);
        }

        // Kestrel on Linux wants a key it can hand to OpenSSL: a PFX round trip gives an exportable, ephemeral one.
        var usable = X509CertificateLoader.LoadPkcs12(server.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        server.Dispose();
        return new CertificateAuthority(ca, usable);
    }

    /// <summary>
    /// Issues a probe's client certificate for the public key in a PKCS#10 request (its signature is checked: the
    /// probe holds the key). Nothing else from the request is used: the subject is the probe id, the usage client
    /// authentication, the lifetime one year. Throws <see cref="CryptographicException"/> on a malformed request.
    /// </summary>
    public X509Certificate2 IssueProbeCertificate(string probeId, byte[] csrDer, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(probeId);
        name.AddOrganizationName("Swarm probe");
        var req = new CertificateRequest(name.Build(), csr.PublicKey, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(PinnedTrust.ClientAuth)], false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("urn:swarm:probe:" + probeId));
        req.CertificateExtensions.Add(san.Build());
        var now = time.GetUtcNow();
        return req.Create(_ca, now.AddMinutes(-5), Min(now + ProbeLifetime, _ca.NotAfter), Serial());
    }

    /// <summary>Whether a client certificate was issued by this CA for client authentication and is in its validity period.</summary>
    public bool ValidatesClient(X509Certificate2 certificate) => PinnedTrust.Validates(Certificate, certificate, PinnedTrust.ClientAuth);

    /// <summary>The probe id a client certificate of this CA names (its common name).</summary>
    public static string ProbeIdOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ca.Dispose();
        Certificate.Dispose();
        ServerCertificate.Dispose();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTime b) => a.UtcDateTime < b.ToUniversalTime() ? a : new DateTimeOffset(b.ToUniversalTime());

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        return serial;
    }
}
