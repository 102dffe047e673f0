document.querySelector('#app')!.textContent = 'lobby';
