using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PetSitter.Email.SettingsRules;

/// <summary>
/// Names an account's extra certificate authorities for the keys built from its settings (the settings
/// fingerprint, the connection pool key): lives with the settings so they need nothing from the transport.
/// </summary>
internal static class CertificateThumbprints
{
    /// <summary>A stable, order-independent fingerprint of the account's extra authorities.</summary>
    internal static string Of(IReadOnlyList<X509Certificate2> authorities)
    {
        if (authorities.Count == 0)
        {
            return string.Empty;
        }

        var thumbprints = authorities.Select(a => a.GetCertHashString(HashAlgorithmName.SHA256)).Order(StringComparer.Ordinal);
        return string.Join(',', thumbprints);
    }
}
