namespace PetSitter.Email.Routing;

/// <summary>
/// Decides the channel of an email from the business's settings and the email's category: the
/// routing table of "Only Use for Direct Emails". A pure function: no I/O, no allocation.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>settings</term><description>direct mail / document and system mail</description></listheader>
/// <item><term>no SMTP configured, or SMTP disabled</term><description>Native / Native</description></item>
/// <item><term>SMTP, "Only Use for Direct Emails" off</term><description>SMTP / SMTP</description></item>
/// <item><term>SMTP, "Only Use for Direct Emails" on</term><description>SMTP / Native</description></item>
/// </list>
/// </remarks>
internal static class EmailRouter
{
    /// <summary>Returns the channel that should carry an email of <paramref name="category"/> for a business with <paramref name="settings"/>.</summary>
    /// <param name="settings">The business's settings.</param>
    /// <param name="category">The email's category.</param>
    /// <returns>The planned channel, before any fallback.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="settings"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="category"/> is not a defined category.</exception>
    public static EmailChannel Route(BusinessEmailSettings settings, EmailCategory category)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Route(settings.UsesSmtp, settings.OnlyUseSmtpForDirectEmails, category);
    }

    /// <summary>Returns the channel for the two settings that matter and a category.</summary>
    /// <param name="smtpInUse">Whether an SMTP mailbox is configured and enabled.</param>
    /// <param name="onlyDirectEmails">The "Only Use for Direct Emails" toggle.</param>
    /// <param name="category">The email's category.</param>
    /// <returns>The planned channel.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="category"/> is not a defined category.</exception>
    public static EmailChannel Route(bool smtpInUse, bool onlyDirectEmails, EmailCategory category)
    {
        var direct = category.IsDirect();
        if (!smtpInUse)
        {
            return EmailChannel.Native;
        }

        return onlyDirectEmails && !direct ? EmailChannel.Native : EmailChannel.Smtp;
    }
}
