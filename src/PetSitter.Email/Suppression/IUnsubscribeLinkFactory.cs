namespace PetSitter.Email;

/// <summary>
/// Makes the RFC 8058 one-click unsubscribe URL of one recipient of one business: the URL the library puts in
/// the <c>List-Unsubscribe</c> header of a <see cref="EmailCategory.Marketing"/> email whose
/// <see cref="OutgoingEmail.UnsubscribeUrl"/> the app left unset. <c>PetSitter.Email.AspNetCore</c> registers one
/// (<c>UseOneClickUnsubscribe</c>) whose URLs carry a signed, expiring token that its endpoint reads back; with
/// none registered the library adds no unsubscribe headers of its own.
/// </summary>
/// <remarks>
/// A URL names one recipient, so it is made only for a marketing email with exactly one recipient; an email
/// to several gets none (send marketing one recipient per message). The URL must be absolute https, ASCII and
/// at most 900 characters, as <see cref="OutgoingEmail.UnsubscribeUrl"/> requires.
/// </remarks>
public interface IUnsubscribeLinkFactory
{
    /// <summary>Makes the unsubscribe URL of <paramref name="address"/> for <paramref name="businessId"/>.</summary>
    /// <param name="businessId">The business that sends the email.</param>
    /// <param name="address">The recipient's address.</param>
    /// <returns>The URL.</returns>
    Uri CreateUrl(string businessId, string address);
}
