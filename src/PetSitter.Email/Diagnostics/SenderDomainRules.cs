using System.Net;

namespace PetSitter.Email.Extensibility;

/// <summary>
/// What a provider publishes for an owner's own domain that sends through it, as the library's provider catalogue
/// records it (with the provider's documentation as <see cref="Source"/>): handed to <see cref="ISenderDomainCheck"/>
/// so the DNS check keeps no provider facts of its own.
/// </summary>
public sealed class SenderDomainRules
{
    /// <summary>Creates the rules (the catalogue creates them; tests of a domain check may too).</summary>
    /// <param name="name">The provider's name, as the owner knows it.</param>
    /// <param name="spfInclude">The domain the owner's SPF record includes (<c>include:...</c>).</param>
    /// <param name="sendingAddress">An address the provider's servers send from, inside the ranges the include publishes.</param>
    /// <param name="dkimSelectors">The DKIM selectors the provider signs with.</param>
    /// <param name="dkimSetup">How DKIM is turned on, with <c>{0}</c> for the domain.</param>
    /// <param name="source">Where the provider documents it.</param>
    /// <exception cref="ArgumentException">A text is empty or <paramref name="dkimSelectors"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="sendingAddress"/> or <paramref name="dkimSelectors"/> is <see langword="null"/>.</exception>
    public SenderDomainRules(string name, string spfInclude, IPAddress sendingAddress, IReadOnlyList<string> dkimSelectors, string dkimSetup, string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(spfInclude);
        ArgumentNullException.ThrowIfNull(sendingAddress);
        ArgumentNullException.ThrowIfNull(dkimSelectors);
        ArgumentException.ThrowIfNullOrWhiteSpace(dkimSetup);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (dkimSelectors.Count == 0)
        {
            throw new ArgumentException("Give at least one DKIM selector the provider signs with.", nameof(dkimSelectors));
        }

        Name = name;
        SpfInclude = spfInclude;
        SendingAddress = sendingAddress;
        DkimSelectors = dkimSelectors;
        DkimSetup = dkimSetup;
        Source = source;
    }

    /// <summary>Gets the provider's name, as the owner knows it, for example "Google".</summary>
    public string Name { get; }

    /// <summary>Gets the domain the owner's SPF record includes, for example <c>_spf.google.com</c>.</summary>
    public string SpfInclude { get; }

    /// <summary>Gets an address the provider's servers send from, inside the ranges <see cref="SpfInclude"/> publishes.</summary>
    public IPAddress SendingAddress { get; }

    /// <summary>Gets the DKIM selectors the provider signs with, for example <c>google</c>.</summary>
    public IReadOnlyList<string> DkimSelectors { get; }

    /// <summary>Gets how DKIM is turned on at the provider, with <c>{0}</c> for the domain.</summary>
    public string DkimSetup { get; }

    /// <summary>Gets where the provider documents it (a URL).</summary>
    public string Source { get; }
}
