using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Swarm.Contracts.Security;
using Swarm.Contracts.V1;

namespace Swarm.Probe.Agent;

/// <summary>
/// A probe's credentials: its own key (made here, never sent), the client certificate the director issued for it, and
/// the director's CA it pins, kept in its identity folder (key readable by the owner only). Enrolment runs once, with a
/// token from <c>swarm token create --role probe</c>: the probe fetches the director's CA, checks it against the SHA-256
/// the token carries (so a machine in the middle cannot pose as the director), sends a certificate signing request
/// with the token over TLS pinned to that CA, and stores what it gets back.
/// </summary>
public sealed class ProbeIdentity : IDisposable
{
    private ProbeIdentity(X509Certificate2 certificate, X509Certificate2 ca)
    {
        Certificate = certificate;
        Ca = ca;
    }

    /// <summary>The client certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The director's CA certificate.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>
    /// The stored identity for <paramref name="probeId"/> when there is a valid one, else a new one enrolled with
    /// <paramref name="token"/>. Throws <see cref="InvalidOperationException"/> naming the problem when there is
    /// neither, or the enrolment is refused, or the director's CA does not match the token.
    /// </summary>
    public static async Task<ProbeIdentity> LoadOrEnrolAsync(string directory, string probeId, string directorUrl, string token, string caPath, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        PrivateFile.EnsurePrivateDirectory(directory);
        var certPath = Path.Combine(directory, "probe.crt");
        var keyPath = Path.Combine(directory, "probe.key");
        var caFile = Path.Combine(directory, "ca.crt");
        if (File.Exists(certPath) && File.Exists(keyPath) && File.Exists(caFile))
        {
            var stored = Load(certPath, keyPath, caFile);
            var now = time.GetUtcNow().UtcDateTime;
            if (stored.Certificate.GetNameInfo(X509NameType.SimpleName, false) == probeId && stored.Certificate.NotAfter.ToUniversalTime() > now.AddDays(1)
                && PinnedTrust.Validates(stored.Ca, stored.Certificate, PinnedTrust.ClientAuth)
                && (token.Length == 0 || TokenCa(token) == PinnedTrust.Fingerprint(stored.Ca)))
            {
                return stored;
            }

            stored.Dispose();
        }

        if (token.Length == 0)
        {
            throw new InvalidOperationException(
                $"probe '{probeId}' has no certificate in {directory}: enrol it once with --token (an administrator makes one with: swarm token create --role probe)");
        }

        var pin = TokenCa(token);
        using var ca = caPath.Length > 0 ? X509CertificateLoader.LoadCertificate(X509Certificate2.CreateFromPem(File.ReadAllText(caPath)).RawData) : await FetchCaAsync(directorUrl, ct).ConfigureAwait(false);
        if (!string.Equals(PinnedTrust.Fingerprint(ca), pin, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the director at {directorUrl} presents a CA whose SHA-256 is {PinnedTrust.Fingerprint(ca)}, not the {pin} the token names: not the director that made the token");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=" + probeId, key, HashAlgorithmName.SHA256).CreateSigningRequest();
        EnrolReply reply;
        using (var channel = GrpcChannel.ForAddress(directorUrl, new GrpcChannelOptions { HttpHandler = PinnedTrust.Handler(ca) }))
        {
            try
            {
                reply = await new EnrolmentService.EnrolmentServiceClient(channel).EnrolAsync(
                    new EnrolRequest { Token = token, ProbeId = probeId, CsrDer = Google.Protobuf.ByteString.CopyFrom(csr) },
                    deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.PermissionDenied or StatusCode.InvalidArgument or StatusCode.AlreadyExists)
            {
                throw new InvalidOperationException($"enrolment refused: {ex.Status.Detail}", ex);
            }
        }

        using var issued = X509CertificateLoader.LoadCertificate(reply.CertificateDer.ToByteArray());
        if (!PinnedTrust.Validates(ca, issued, PinnedTrust.ClientAuth) || issued.GetECDsaPublicKey() is not { } pub
            || !pub.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new InvalidOperationException("the director returned a certificate that is not for this probe's key or not from its CA");
        }

        PrivateFile.Write(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, issued.ExportCertificatePem());
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        return Load(certPath, keyPath, caFile);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Certificate.Dispose();
        Ca.Dispose();
    }

    private static string TokenCa(string token)
    {
        var parts = token.Trim().Split('.');
        return parts.Length == 4 && parts[0] == "swt" && parts[3].Length == 64
            ? parts[3]
            : throw new InvalidOperationException("the enrolment token is malformed (expected swt.ID.SECRET.CA-SHA256)");
    }

    private static async Task<X509Certificate2> FetchCaAsync(string directorUrl, CancellationToken ct)
    {
        using var channel = GrpcChannel.ForAddress(directorUrl, new GrpcChannelOptions { HttpHandler = PinnedTrust.UnverifiedHandler() });
        var reply = await new EnrolmentService.EnrolmentServiceClient(channel).GetCaCertificateAsync(new GetCaCertificateRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct)
            .ConfigureAwait(false);
        return X509CertificateLoader.LoadCertificate(reply.CertificateDer.ToByteArray());
    }

    private static ProbeIdentity Load(string certPath, string keyPath, string caPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        // SslStream on Linux wants a key it can hand to OpenSSL: a PFX round trip gives an exportable, ephemeral one.
        var cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        var ca = X509CertificateLoader.LoadCertificate(X509Certificate2.CreateFromPem(File.ReadAllText(caPath)).RawData);
        return new ProbeIdentity(cert, ca);
    }
}
