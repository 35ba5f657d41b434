using System.Collections.ObjectModel;

namespace PetSitter.Email;

/// <summary>
/// A business's email settings, as the app's "Custom SMTP Configuration" page holds them.
/// </summary>
public sealed class BusinessEmailSettings
{
    // Immutable once built: the business-level check runs once per instance, not on every send.
    private IReadOnlyList<string>? _businessErrors;

    /// <summary>Gets the business's id, as used in <see cref="OutgoingEmail.BusinessId"/>. Required.</summary>
    public string BusinessId { get; init; } = string.Empty;

    /// <summary>Gets the business's name, shown in the native channel's display name ("{Business} via Pet Sitter Plus"). Required.</summary>
    public string BusinessName { get; init; } = string.Empty;

    /// <summary>Gets the address clients reply to; native mail carries it as <c>Reply-To</c>. Required.</summary>
    public string ReplyToAddress { get; init; } = string.Empty;

    /// <summary>Gets the business's own SMTP mailbox, or <see langword="null"/> when none is configured. Default: <see langword="null"/>.</summary>
    public SmtpAccountSettings? Smtp { get; init; }

    /// <summary>Gets whether the configured SMTP mailbox is used. Default: <see langword="true"/>.</summary>
    public bool SmtpEnabled { get; init; } = true;

    /// <summary>
    /// Gets the "Only Use for Direct Emails" toggle: when on, only marketing and general mail goes
    /// through SMTP and quotes, invoices, account summaries and notifications go native. Default: <see langword="false"/>.
    /// </summary>
    public bool OnlyUseSmtpForDirectEmails { get; init; }

    /// <summary>Gets whether an SMTP mailbox is configured and enabled.</summary>
    public bool UsesSmtp => SmtpEnabled && Smtp is not null;

    /// <summary>
    /// Checks the business-level fields and, when SMTP is in use, the SMTP account. Returns one
    /// message per problem, each naming the field and the fix; empty when the settings are usable.
    /// </summary>
    /// <returns>The problems found.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(ValidateBusiness());
        if (UsesSmtp)
        {
            errors.AddRange(Smtp!.Validate($"{nameof(Smtp)}."));
        }

        return errors;
    }

    /// <summary>Checks only the business-level fields (id, name, reply-to), which every channel needs.</summary>
    /// <returns>The problems found.</returns>
    public IReadOnlyList<string> ValidateBusiness() => _businessErrors ??= CheckBusiness();

    private ReadOnlyCollection<string> CheckBusiness()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BusinessId))
        {
            errors.Add($"{nameof(BusinessId)} is empty: set the business's id.");
        }

        if (string.IsNullOrWhiteSpace(BusinessName) || BusinessName.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            errors.Add($"{nameof(BusinessName)} is empty or spans lines: set the business's name as clients know it, on one line.");
        }

        if (!EmailAddressRules.IsMailbox(ReplyToAddress))
        {
            errors.Add($"{nameof(ReplyToAddress)} '{ReplyToAddress}' is not an email address: set the address clients should reply to, for example hello@pawsandclaws.example.");
        }

        return errors.Count == 0 ? ReadOnlyCollection<string>.Empty : errors.AsReadOnly();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{BusinessName} ({BusinessId}): SMTP {(Smtp is null ? "not configured" : SmtpEnabled ? Smtp.ToString() : "disabled")}, only direct emails {(OnlyUseSmtpForDirectEmails ? "on" : "off")}";
}
